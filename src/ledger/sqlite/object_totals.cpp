#include "ledger/sqlite/object_totals.h"

#include "ledger/object_state.h"
#include "ledger/sqlite/sqlite_db.h"

namespace s5j::ledger::sqlite {

void ObjectTotalsDelta::add(JobId job, ObjectState state, int64_t objects, int64_t bytes) {
  auto& [n, b] = changes_[{job.value, state}];
  n += objects;
  b += bytes;
}

void ObjectTotalsDelta::move(JobId job, ObjectState from, ObjectState to, int64_t size) {
  if (from == to) return;
  add(job, from, -1, -size);
  add(job, to, 1, size);
}

Status ObjectTotalsDelta::apply(Database& db) {
  for (const auto& [key, change] : changes_) {
    if (change.first == 0 && change.second == 0) continue;
    auto st = db.cached(
        "INSERT INTO object_totals(job_id, state, objects, bytes) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (job_id, state) DO UPDATE SET objects = objects + excluded.objects, "
        "bytes = bytes + excluded.bytes");
    if (!st) return std::unexpected(st.error());
    (*st)->bind(1, key.first).bind_text(2, to_string(key.second)).bind(3, change.first).bind(4, change.second);
    if (auto r = (*st)->run(); !r) return r;
  }
  changes_.clear();
  return {};
}

}  // namespace s5j::ledger::sqlite
