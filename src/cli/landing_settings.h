// The destination's landing keys of the config (config::LandingConfig) as
// the transfer's LandingSettings, for sync and the relay's drain.
#pragma once

#include "config/config.h"
#include "transfer/landing.h"

namespace s5j::cli {

transfer::LandingSettings landing_settings_for(const config::LandingConfig& landing);

}  // namespace s5j::cli
