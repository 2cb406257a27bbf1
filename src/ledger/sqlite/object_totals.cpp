#include "ledger/sqlite/object_totals.h"

#include "ledger/object_state.h"
#include "ledger/size_class.h"
#include "ledger/sqlite/sqlite_db.h"

namespace s5j::ledger::sqlite {

void ObjectTotalsDelta::add(JobId job, ObjectState state, int64_t objects, int64_t size) {
  auto& [n, b] = changes_[{job.value, state, size_class_of(static_cast<uint64_t>(size))}];
  n += objects;
  b += objects * size;
}

void ObjectTotalsDelta::enter(JobId job, ObjectState state, int64_t size) { add(job, state, 1, size); }

void ObjectTotalsDelta::leave(JobId job, ObjectState state, int64_t size) { add(job, state, -1, size); }

void ObjectTotalsDelta::move(JobId job, ObjectState from, ObjectState to, int64_t size) {
  if (from == to) return;
  leave(job, from, size);
  enter(job, to, size);
}

Status ObjectTotalsDelta::apply(Database& db) {
  for (const auto& [key, change] : changes_) {
    if (change.first == 0 && change.second == 0) continue;
    auto st = db.cached(
        "INSERT INTO object_totals(job_id, state, size_class, objects, bytes) VALUES (?1, ?2, ?3, ?4, ?5) "
        "ON CONFLICT (job_id, state, size_class) DO UPDATE SET objects = objects + excluded.objects, "
        "bytes = bytes + excluded.bytes");
    if (!st) return std::unexpected(st.error());
    const auto& [job, state, size_class] = key;
    (*st)->bind(1, job).bind_text(2, to_string(state)).bind(3, size_class).bind(4, change.first);
    (*st)->bind(5, change.second);
    if (auto r = (*st)->run(); !r) return r;
  }
  changes_.clear();
  return {};
}

}  // namespace s5j::ledger::sqlite
