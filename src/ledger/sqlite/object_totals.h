// ObjectTotalsDelta: the changes one write transaction makes to the
// per-(state, size class) object counts and bytes of the `object_totals`
// table (schema 9, split by class in schema 13), gathered in memory and
// written as one row update per (job, state, class) just before the
// transaction commits.
//
// Why not triggers: an SQLite trigger runs a sub-program per changed row,
// which made a state transition about 1.6 times as expensive (measured
// with bench/micro's BM_LedgerTransitions). Here a flush of 4,096
// transitions adds a few small updates. The price is a rule: every
// statement that inserts or deletes an object, or changes its state or
// size, records what it did in the transaction's delta, one object at a
// time with its size (which gives its class). The schema test
// TotalsEqualAGroupByAfterEveryKindOfWrite holds every such path to it.
//
// Thread safety: none; used inside one write transaction.
#pragma once

#include <cstdint>
#include <map>
#include <tuple>
#include <utility>

#include "base/error.h"
#include "ledger/records.h"

namespace s5j::ledger::sqlite {

class Database;

class ObjectTotalsDelta {
 public:
  // One object of `size` bytes entered / left `state` (listed, changed,
  // deleted: a size change is a leave at the old size and an enter at the
  // new one).
  void enter(JobId job, ObjectState state, int64_t size);
  void leave(JobId job, ObjectState state, int64_t size);
  // One object of `size` bytes left `from` for `to` (same size).
  void move(JobId job, ObjectState from, ObjectState to, int64_t size);
  // Writes the gathered changes (inside the caller's transaction) and
  // clears them.
  Status apply(Database& db);

 private:
  void add(JobId job, ObjectState state, int64_t objects, int64_t size);
  // (job, state, size class) -> (objects, bytes)
  std::map<std::tuple<int64_t, ObjectState, int>, std::pair<int64_t, int64_t>> changes_;
};

}  // namespace s5j::ledger::sqlite
