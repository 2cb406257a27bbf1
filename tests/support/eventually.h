// Polling for a state the code under test offers no event for (e.g. "a
// caller is now blocked inside a wait"), bounded so that a bug fails the
// test instead of hanging it.
#pragma once

#include <chrono>
#include <thread>

namespace s5j::testing {

// Asks `cond` every `interval` until it holds or `limit` has passed, for a
// state another process reaches on its own schedule (a scrape, a page
// served); returns its last value.
template <class F>
bool eventually_every(std::chrono::milliseconds interval, std::chrono::seconds limit, F cond) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(interval);
  }
  return true;
}

// Polls `cond` until it holds or `limit` has passed; returns its last value.
template <class F>
bool eventually(F cond, std::chrono::seconds limit = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!cond() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  return cond();
}

}  // namespace s5j::testing
