#include "support/verify_report.h"

#include <gtest/gtest.h>

#include "support/process.h"
#include "support/test_env.h"

namespace s5j::testing {

std::pair<int, nlohmann::json> run_verify(const std::string& config, bool deep) {
  std::vector<std::string> argv{s5j_binary(), "verify", "-c", config, "--json"};
  if (deep) argv.push_back("--deep");
  auto r = run_process(argv);
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON: " << r.out << r.err;
  return {r.exit_code, j.is_discarded() ? nlohmann::json::object() : j};
}

std::vector<std::string> json_strings(const nlohmann::json& array) {
  std::vector<std::string> out;
  for (const auto& v : array) out.push_back(v.get<std::string>());
  return out;
}

void expect_verify_counts(const nlohmann::json& report, const VerifyCounts& want) {
  const std::pair<const char*, const std::optional<int>*> fields[] = {
      {"checked", &want.checked},   {"ok", &want.ok},           {"missing", &want.missing},
      {"different", &want.different}, {"unproven", &want.unproven}, {"reopened", &want.reopened},
      {"not_verified", &want.not_verified}};
  for (const auto& [name, value] : fields)
    if (*value) EXPECT_EQ(report.value(name, -1), **value) << name << " in " << report.dump();
}

}  // namespace s5j::testing
