// `s5j status --serve`'s page in a real browser: headless Chromium (Debian's
// `chromium`) loads it during a relay and after it, and the DOM it renders
// (scripts run: --dump-dom) shows the job's object counts, states and
// whether the run is active, and, from the run's metrics, its endpoints'
// health. A screenshot of each is kept in
// build/test-artifacts/.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "integration/relay_test_support.h"
#include "support/eventually.h"
#include "support/http_get.h"

namespace s5j {
namespace {

using namespace relay_test;
using testing::BackgroundProcess;
using testing::http_get;

std::string artifacts_dir() {
  const std::string dir = std::filesystem::path(testing::s5j_binary()).parent_path().string() + "/test-artifacts";
  std::filesystem::create_directories(dir);
  return dir;
}

class StatusPageBrowserTest : public RelayTest {
 protected:
  // Chromium, headless, with a profile of its own, no proxy (the page is
  // on loopback) and virtual time so the page's scripts finish first.
  std::vector<std::string> chromium(const std::vector<std::string>& extra) {
    std::vector<std::string> argv{testing::program_path("chromium"), "--headless", "--no-sandbox", "--disable-gpu",
                                  "--no-proxy-server", "--user-data-dir=" + dir_ + "/chromium-profile",
                                  "--virtual-time-budget=4000", "--window-size=1280,1100"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }
  std::string dom_of(const std::string& url) {
    auto r = testing::run_process(chromium({"--dump-dom", url}));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
  void screenshot(const std::string& url, const std::string& name) {
    const std::string path = artifacts_dir() + "/" + name;
    std::filesystem::remove(path);
    auto r = testing::run_process(chromium({"--screenshot=" + path, url}));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::ifstream png(path, std::ios::binary);
    char signature[8] = {};
    png.read(signature, sizeof signature);
    EXPECT_EQ(std::string(signature, 8), "\x89PNG\r\n\x1a\n") << path << " is not a PNG";
  }
};

// The text of the element with `id` in a dumped DOM ("" when absent).
std::string element_text(const std::string& dom, const std::string& id) {
  std::smatch m;
  if (std::regex_search(dom, m, std::regex("id=\"" + id + "\"[^>]*>([^<]*)<"))) return m[1];
  return "";
}

TEST_F(StatusPageBrowserTest, ShowsTheJobsCountsAndStatesDuringAndAfterARelay) {
  constexpr int kObjects = 24;
  std::vector<testing::SeedObject> objects;
  for (int i = 0; i < kObjects; ++i)
    objects.push_back({"in/page-" + std::to_string(i), testing::random_bytes(64 * 1024 + i, 50 + i)});
  ASSERT_TRUE(testing::seed_objects(*src_client_, src_bucket_, objects));
  // The relay serves metrics at metrics.listen: the page shows its
  // endpoints and concurrency from there.
  const uint16_t run_metrics_port = testing::free_loopback_port();
  const std::string cfg =
      config("", "transfer:\n  workers: 8\nmetrics:\n  listen: 127.0.0.1:" + std::to_string(run_metrics_port) + "\n");

  // During: a continuous relay keeps its run active after the objects are
  // verified; the page shows the counts and the active run.
  BackgroundProcess relay({testing::s5j_binary(), "relay", "-c", cfg, "--no-progress"}, {}, dir_);
  const uint16_t port = testing::free_loopback_port();
  BackgroundProcess serve({testing::s5j_binary(), "status", "-c", cfg, "--serve", "127.0.0.1:" + std::to_string(port)},
                          {}, dir_);
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  ASSERT_TRUE(testing::eventually_every(std::chrono::milliseconds(200), std::chrono::seconds(90), [&] {
    auto api = http_get("127.0.0.1", port, "/api/status");
    if (api.status != 200) return false;
    auto j = nlohmann::json::parse(api.body, nullptr, false);
    return !j.is_discarded() && state_objects(j, "verified") == kObjects && j["run"].is_object() &&
           j["run"]["active"] == true;
  })) << "the relay did not verify every object";

  const std::string during = dom_of(url);
  EXPECT_EQ(element_text(during, "job"), "default") << during.substr(0, 2000);
  EXPECT_EQ(element_text(during, "state-verified-objects"), std::to_string(kObjects));
  EXPECT_EQ(element_text(during, "total-objects"), std::to_string(kObjects));
  EXPECT_EQ(element_text(during, "verified-objects"), std::to_string(kObjects));
  EXPECT_EQ(element_text(during, "percent"), "100.0%");
  EXPECT_NE(during.find(">ACTIVE<"), std::string::npos) << "the run shows as active";
  EXPECT_NE(during.find("id=\"state-pending\""), std::string::npos) << "every state has its row";
  EXPECT_NE(during.find("<td>source " + testing::endpoint_a() + "</td><td class=\"ok\">up</td>"), std::string::npos)
      << "the source endpoint's health, from the run's metrics";
  EXPECT_NE(during.find("<td>destination " + testing::endpoint_b() + "</td><td class=\"ok\">up</td>"),
            std::string::npos);
  EXPECT_NE(element_text(during, "run-health-note").find(std::to_string(run_metrics_port)), std::string::npos);
  // The workers: the relay, one process with both roles.
  EXPECT_NE(during.find("<tr class=\"worker\"><td>pid " + std::to_string(relay.pid()) + " on "), std::string::npos)
      << "the relay's row among the workers";
  EXPECT_NE(during.find("<td>drain+stage</td>"), std::string::npos);
  screenshot(url, "status-page-during-relay.png");

  relay.kill(SIGTERM);
  ASSERT_EQ(relay.wait().exit_code, 0);

  // After: the same counts, the run no longer active.
  const std::string after = dom_of(url);
  EXPECT_EQ(element_text(after, "state-verified-objects"), std::to_string(kObjects));
  EXPECT_EQ(after.find(">ACTIVE<"), std::string::npos);
  EXPECT_NE(after.find(">not running<"), std::string::npos);
  EXPECT_EQ(element_text(after, "eta"), "done");
  EXPECT_EQ(after.find("class=\"worker\""), std::string::npos) << "no live worker after the relay stopped";
  EXPECT_NE(element_text(after, "run-health-note").find("no run answers"), std::string::npos)
      << element_text(after, "run-health-note");
  screenshot(url, "status-page-after-relay.png");

  serve.kill(SIGTERM);
  EXPECT_EQ(serve.wait().exit_code, 0);
}

}  // namespace
}  // namespace s5j
