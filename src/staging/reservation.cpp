#include "staging/reservation.h"

#include "staging/space_manager.h"

namespace s5j::staging {

Reservation::Reservation(Reservation&& other) noexcept
    : owner_(other.owner_), volume_(other.volume_), bytes_(other.bytes_) {
  other.owner_ = nullptr;
}

Reservation& Reservation::operator=(Reservation&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = other.owner_;
    volume_ = other.volume_;
    bytes_ = other.bytes_;
    other.owner_ = nullptr;
  }
  return *this;
}

const std::string& Reservation::volume() const {
  static const std::string none;
  return owner_ != nullptr ? owner_->volume(volume_) : none;
}

void Reservation::release() {
  if (owner_ == nullptr) return;
  SpaceManager* owner = owner_;
  owner_ = nullptr;
  owner->release(volume_, bytes_);
}

}  // namespace s5j::staging
