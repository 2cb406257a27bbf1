#include "transfer/staging_cleanup.h"

#include <set>

namespace s5j::transfer {

Result<CleanupStats> clean_staging(staging::Stager& stager, ledger::ObjectCatalog& ledger, ledger::JobId job,
                                   bool stage_role, log::EventLog& events, const std::optional<std::string>& own_host) {
  CleanupStats stats;
  if (stage_role) {
    auto removed = stager.discard_partials();
    if (!removed) return std::unexpected(removed.error());
    stats.partials_removed = *removed;
  }
  auto found = stager.scan();
  if (!found) return std::unexpected(found.error());
  std::set<staging::StagedId> seen;
  for (const auto& entry : found->complete) {
    if (!seen.insert(entry.id).second) continue;  // every copy of an id goes, or none
    auto record = ledger.get_object(ledger::ObjectId{entry.id});
    if (!record) return std::unexpected(record.error());
    bool keep = false;
    const auto& staged = *record ? (*record)->staged : std::nullopt;
    const bool elsewhere = own_host && staged && !staged->host.empty() && staged->host != *own_host;
    if (*record && (*record)->job == job && !elsewhere) {
      const auto state = (*record)->state;
      if (stage_role) {
        keep = state == ledger::ObjectState::staged || state == ledger::ObjectState::uploading ||
               (state == ledger::ObjectState::failed && (*record)->staged.has_value());
      } else {
        keep = state != ledger::ObjectState::verified;
      }
    }
    if (keep) {
      ++stats.kept;
      continue;
    }
    if (auto r = stager.remove(entry.id); !r) return std::unexpected(r.error());
    ++stats.stale_removed;
  }
  events.emit("staging_cleaned", {{"partials_removed", stats.partials_removed},
                                  {"stale_removed", stats.stale_removed},
                                  {"kept", stats.kept}});
  return stats;
}

}  // namespace s5j::transfer
