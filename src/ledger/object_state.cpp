#include "ledger/object_state.h"

#include <array>
#include <utility>

namespace s5j::ledger {
namespace {

using S = ObjectState;

constexpr std::array kStateNames{
    std::pair{S::pending, std::string_view("pending")},     std::pair{S::copying, std::string_view("copying")},
    std::pair{S::staging, std::string_view("staging")},     std::pair{S::staged, std::string_view("staged")},
    std::pair{S::uploading, std::string_view("uploading")}, std::pair{S::verified, std::string_view("verified")},
    std::pair{S::failed, std::string_view("failed")},       std::pair{S::vanished, std::string_view("vanished")},
};

struct Edge {
  S from;
  S to;
};

// The whole state machine in two tables; docs/ledger.md draws them.
constexpr std::array kDirectEdges{
    Edge{S::pending, S::copying},   Edge{S::pending, S::failed},   Edge{S::pending, S::vanished},
    Edge{S::pending, S::verified},  // found identical at the destination by the planner
    Edge{S::copying, S::verified},  Edge{S::copying, S::failed},   Edge{S::copying, S::vanished},
    Edge{S::copying, S::pending},   // handed back (shutdown, lost lease, retry later)
    Edge{S::failed, S::pending},    // retried on a later run
    Edge{S::vanished, S::pending},  // reappeared at the source
};

constexpr std::array kStagedEdges{
    Edge{S::pending, S::staging},   Edge{S::pending, S::failed},    Edge{S::pending, S::vanished},
    Edge{S::pending, S::verified},  // found identical at the destination by the relay's planner
    Edge{S::staging, S::staged},    Edge{S::staging, S::failed},    Edge{S::staging, S::vanished},
    Edge{S::staging, S::pending},   Edge{S::staged, S::uploading},  Edge{S::staged, S::failed},
    Edge{S::uploading, S::verified}, Edge{S::uploading, S::failed}, Edge{S::uploading, S::staged},
    Edge{S::uploading, S::pending},  // the staged copy is corrupt or gone: fetch it from the source again
    Edge{S::failed, S::pending},    Edge{S::failed, S::staged},     // retry the upload from the volume
    Edge{S::vanished, S::pending},
};

// Every state once, taken from the names table so that a state added there
// is never missing here.
constexpr auto kAllStates = [] {
  std::array<S, kStateNames.size()> out{};
  for (size_t i = 0; i < kStateNames.size(); ++i) out[i] = kStateNames[i].first;
  return out;
}();

constexpr std::array kDirectStates{S::pending, S::copying, S::verified, S::failed, S::vanished};
constexpr std::array kStagedStates{S::pending, S::staging, S::staged, S::uploading, S::verified, S::failed, S::vanished};

constexpr std::array kTakeCopying{S::copying};
constexpr std::array kTakeStaging{S::staging};
constexpr std::array kTakeUploading{S::uploading};

}  // namespace

std::string_view to_string(JobMode mode) { return mode == JobMode::direct ? "direct" : "staged"; }

std::optional<JobMode> parse_job_mode(std::string_view text) {
  if (text == "direct") return JobMode::direct;
  if (text == "staged") return JobMode::staged;
  return std::nullopt;
}

std::string_view to_string(ObjectState state) {
  for (const auto& [s, name] : kStateNames) {
    if (s == state) return name;
  }
  return "unknown";
}

std::optional<ObjectState> parse_object_state(std::string_view text) {
  for (const auto& [s, name] : kStateNames) {
    if (name == text) return s;
  }
  return std::nullopt;
}

std::span<const ObjectState> states_of(JobMode mode) {
  if (mode == JobMode::direct) return kDirectStates;
  return kStagedStates;
}

std::span<const ObjectState> all_object_states() { return kAllStates; }

bool is_active(ObjectState state) { return state == S::copying || state == S::staging || state == S::uploading; }

bool is_legal_transition(JobMode mode, ObjectState from, ObjectState to) {
  const auto states = states_of(mode);
  auto in_mode = [&](S s) {
    for (S m : states) {
      if (m == s) return true;
    }
    return false;
  };
  if (!in_mode(from) || !in_mode(to)) return false;
  if (from == to) return is_active(from);
  const std::span<const Edge> edges =
      mode == JobMode::direct ? std::span<const Edge>(kDirectEdges) : std::span<const Edge>(kStagedEdges);
  for (const Edge& e : edges) {
    if (e.from == from && e.to == to) return true;
  }
  return false;
}

std::span<const ObjectState> takeover_states(JobMode mode, ObjectState from) {
  if (from == S::pending) {
    if (mode == JobMode::direct) return kTakeCopying;
    return kTakeStaging;
  }
  if (from == S::staged && mode == JobMode::staged) return kTakeUploading;
  return {};
}

}  // namespace s5j::ledger
