#include "base/clock.h"

#include <thread>

namespace s5j {

std::chrono::system_clock::time_point SystemClock::now() const { return std::chrono::system_clock::now(); }
std::chrono::steady_clock::time_point SystemClock::steady_now() const { return std::chrono::steady_clock::now(); }
void SystemClock::sleep_for(std::chrono::milliseconds d) const { std::this_thread::sleep_for(d); }
const SystemClock& SystemClock::instance() {
  static const SystemClock clock;
  return clock;
}

}  // namespace s5j
