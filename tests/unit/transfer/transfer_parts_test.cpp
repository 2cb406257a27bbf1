// The transfer layer's small parts: FIFO memory budget, in-order hashing of
// parallel parts, and the part layout that mirrors a multipart source.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "checksum/md5.h"
#include "transfer/byte_budget.h"
#include "transfer/copy_part_plan.h"
#include "transfer/key_mapping.h"
#include "transfer/ordered_hasher.h"
#include "transfer/worker_pool.h"

namespace s5j::transfer {
namespace {

constexpr uint64_t kMiB = 1024 * 1024;

TEST(ByteBudget, GrantsInArrivalOrderAndNeverExceedsCapacity) {
  ByteBudget budget(100);
  ASSERT_TRUE(budget.acquire(80));
  // A large request arrives first, a small one second: the small one must
  // not overtake the large one even though it would fit (80 + 10 <= 100).
  std::atomic<bool> large_granted{false};
  std::atomic<bool> small_saw_large_granted{false};
  std::thread large([&] {
    ASSERT_TRUE(budget.acquire(60));
    large_granted = true;
  });
  // The large request is in line before the small one comes.
  while (budget.waiting() != 1) std::this_thread::yield();
  std::thread small([&] {
    ASSERT_TRUE(budget.acquire(10));
    // FIFO: a grant to the small request implies the large one was granted
    // first, so the budget already holds both.
    small_saw_large_granted = budget.in_use() == 70u;
  });
  // Both wait: the small one although it would fit. Were it to overtake,
  // waiting() would never reach 2 and the test would time out.
  while (budget.waiting() != 2) std::this_thread::yield();
  EXPECT_EQ(budget.in_use(), 80u);
  budget.release(80);
  large.join();
  small.join();
  EXPECT_TRUE(large_granted);
  EXPECT_TRUE(small_saw_large_granted);
  EXPECT_EQ(budget.in_use(), 70u);
}

TEST(ByteBudget, RequestLargerThanCapacityRunsAlone) {
  ByteBudget budget(10);
  ASSERT_TRUE(budget.acquire(1000));  // takes the whole budget
  EXPECT_EQ(budget.in_use(), 10u);
  budget.release(1000);
  EXPECT_EQ(budget.in_use(), 0u);
}

TEST(ByteBudget, CancelWakesWaiters) {
  ByteBudget budget(10);
  ASSERT_TRUE(budget.acquire(10));
  auto waiter = std::async(std::launch::async, [&] { return budget.acquire(5); });
  budget.cancel();
  EXPECT_FALSE(waiter.get());
  EXPECT_FALSE(budget.acquire(1));
}

TEST(OrderedHasher, HashesPartsInOrderWhateverTheirArrival) {
  const std::string a(1000, 'a'), b(2000, 'b'), c(300, 'c');
  auto md5 = checksum::Md5::create();
  ASSERT_TRUE(md5.has_value());
  OrderedHasher hasher(std::move(*md5));
  WorkerPool pool(3);
  TaskGroup group;
  // Submitted in order (as the copier does), finishing in any order.
  for (auto [n, data] : {std::pair{1u, &a}, {2u, &b}, {3u, &c}}) {
    group.add();
    pool.submit([&, n, data] {
      EXPECT_TRUE(hasher.hash_in_turn(n, *data));
      group.done();
    });
  }
  group.wait();
  auto whole = hasher.finish(3);
  ASSERT_TRUE(whole.has_value());
  EXPECT_EQ(*whole, *checksum::md5_of(a + b + c));
}

TEST(OrderedHasher, AbandonReleasesWaiters) {
  OrderedHasher hasher(std::move(*checksum::Md5::create()));
  auto waiter = std::async(std::launch::async, [&] { return hasher.hash_in_turn(2, "late"); });
  hasher.abandon();
  EXPECT_FALSE(waiter.get());
  EXPECT_FALSE(hasher.finish(2).has_value());
}

TEST(CopyPartPlan, LearnedPartSizeIsUsed) {
  auto plan = plan_copy_parts(100 * kMiB + 3, 13, 8 * kMiB, 16 * kMiB);
  ASSERT_TRUE(plan.has_value());
  EXPECT_TRUE(plan->mirrors_source);
  EXPECT_TRUE(plan->learned);
  EXPECT_EQ(plan->parts.part_size, 8 * kMiB);
  EXPECT_EQ(plan->parts.part_count, 13u);
}

TEST(CopyPartPlan, CommonPartSizeIsInferredFromThePartCount) {
  // 12 MiB + 77 in 3 parts: 5 MiB parts (rclone's default) fit, 8 MiB would give 2.
  auto plan = plan_copy_parts(12 * kMiB + 77, 3, std::nullopt, 16 * kMiB);
  ASSERT_TRUE(plan.has_value());
  EXPECT_TRUE(plan->mirrors_source);
  EXPECT_FALSE(plan->learned);
  EXPECT_EQ(plan->parts.part_size, 5 * kMiB);
  // 100 MiB in 13 parts: aws cli's 8 MiB.
  auto aws = plan_copy_parts(100 * kMiB, 13, std::nullopt, 16 * kMiB);
  ASSERT_TRUE(aws.has_value());
  EXPECT_EQ(aws->parts.part_size, 8 * kMiB);
}

TEST(CopyPartPlan, SinglePartOrUnknownSourcesUseThePreferredSize) {
  auto plan = plan_copy_parts(100 * kMiB, 0, std::nullopt, 16 * kMiB);
  ASSERT_TRUE(plan.has_value());
  EXPECT_FALSE(plan->mirrors_source);
  EXPECT_EQ(plan->parts.part_size, 16 * kMiB);
  EXPECT_EQ(plan->parts.part_count, 7u);
}

TEST(CopyPartPlan, ALayoutTheDestinationCannotTakeIsNotMirrored) {
  // 3 parts of 1 GiB each, but the destination (Snowball) takes 512 MB at most.
  checksum::PartLimits snow;
  snow.quirk_max_part_size = 512ull * 1000 * 1000;
  auto plan = plan_copy_parts(3ull * 1024 * kMiB, 3, 1024 * kMiB, 16 * kMiB, snow);
  ASSERT_TRUE(plan.has_value());
  EXPECT_FALSE(plan->mirrors_source);
  EXPECT_LE(plan->parts.part_size, 512ull * 1000 * 1000);
}

}  // namespace
}  // namespace s5j::transfer

namespace s5j::transfer {
namespace {

TEST(KeyMapping, SourcePrefixIsReplacedByTheDestinationPrefix) {
  EXPECT_EQ(destination_key_for("in/", "out/", "in/a/b.txt"), "out/a/b.txt");
  EXPECT_EQ(destination_key_for("", "out/", "a"), "out/a");
  EXPECT_EQ(destination_key_for("in/", "", "in/a"), "a");
  EXPECT_EQ(destination_key_for("in/", "out/", "in/"), "out/");
  // A key outside the source prefix (never listed, but mapped the same way
  // everywhere) keeps its whole name.
  EXPECT_EQ(destination_key_for("in/", "out/", "other"), "out/other");
  EXPECT_EQ(destination_key_for("in/", "out/", "in/../x"), "out/../x");
}

// The sync's copier and the relay's upload leg route objects the same way.
TEST(ChoosePutShape, BufferedUpToThePartSizeStreamedToTheThresholdWithAKnownMd5) {
  const uint64_t part = 16 * kMiB, threshold = 512 * kMiB;
  EXPECT_EQ(choose_put_shape(0, part, threshold, false), PutShape::single);
  EXPECT_EQ(choose_put_shape(part, part, threshold, false), PutShape::single);
  EXPECT_EQ(choose_put_shape(part + 1, part, threshold, true), PutShape::streamed);
  EXPECT_EQ(choose_put_shape(threshold, part, threshold, true), PutShape::streamed);
  EXPECT_EQ(choose_put_shape(part + 1, part, threshold, false), PutShape::multipart);
  EXPECT_EQ(choose_put_shape(threshold + 1, part, threshold, true), PutShape::multipart);
  // A threshold below the part size wins: above it is multipart.
  EXPECT_EQ(choose_put_shape(10 * kMiB, part, 8 * kMiB, true), PutShape::multipart);
  EXPECT_EQ(choose_put_shape(8 * kMiB, part, 8 * kMiB, true), PutShape::single);
}

}  // namespace
}  // namespace s5j::transfer
