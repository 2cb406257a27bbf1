// The Ledger conformance suite, TransitionQueue part, continued: multipart
// progress (begin_upload, queue_part, queue_upload_end, active_upload,
// open_uploads).
#pragma once

#include "unit/ledger/ledger_conformance_transitions.h"

namespace s5j::ledger::conformance {

TEST_P(TransitionQueueConformance, MultipartProgressIsKeptForResume) {
  const JobId j = job();
  add(j, {"big"}, 20 << 20);
  commit(Transition::of(get(j, "big"), ObjectState::copying));
  const ObjectId id = get(j, "big").id;
  EXPECT_FALSE(ledger_->active_upload(id)->has_value());
  auto up = ledger_->begin_upload(UploadStart{id, "upload-xyz", 8 << 20, 3});
  ASSERT_TRUE(up.has_value());
  const PartRecord p1{1, 0, 8 << 20, "\"e1\"", md5(1), 11};
  const PartRecord p2{2, 8 << 20, 8 << 20, "\"e2\"", std::nullopt, 22};
  ASSERT_TRUE(ledger_->queue_part(*up, p2).has_value());
  ASSERT_TRUE(ledger_->queue_part(*up, p1).has_value());
  ASSERT_TRUE(ledger_->flush().has_value());
  ledger_.reset();
  ledger_ = open_instance();

  auto progress = ledger_->active_upload(id);
  ASSERT_TRUE(progress.has_value() && progress->has_value());
  EXPECT_EQ((*progress)->upload.upload_id, "upload-xyz");
  EXPECT_EQ((*progress)->upload.part_size, uint64_t{8 << 20});
  EXPECT_EQ((*progress)->upload.part_count, 3u);
  EXPECT_EQ((*progress)->upload.key, "big");
  EXPECT_EQ((*progress)->parts, (std::vector<PartRecord>{p1, p2}));
  EXPECT_EQ(ledger_->open_uploads(std::nullopt)->size(), 1u);

  // A part sent twice (retry) keeps the last record.
  PartRecord p2b = p2;
  p2b.etag = "\"e2b\"";
  ASSERT_TRUE(ledger_->queue_part(*up, p2b).has_value());
  ASSERT_TRUE(ledger_->queue_part(*up, PartRecord{3, 16 << 20, 4 << 20, "\"e3\"", std::nullopt, 33}).has_value());
  // Completion commits together with verified.
  ASSERT_TRUE(ledger_->queue_upload_end(*up, UploadStatus::completed).has_value());
  Transition done = Transition::of(get(j, "big"), ObjectState::verified);
  done.update.crc32c = 0xC0FFEE;
  ASSERT_TRUE(ledger_->queue(done).has_value());
  auto rep = ledger_->flush();
  ASSERT_TRUE(rep.has_value());
  EXPECT_EQ(rep->applied, 4u);
  EXPECT_TRUE(rep->rejected.empty());
  EXPECT_TRUE(ledger_->open_uploads(j)->empty());
  EXPECT_FALSE(ledger_->active_upload(id)->has_value());
  EXPECT_EQ(get(j, "big").state, ObjectState::verified);
}

TEST_P(TransitionQueueConformance, PartNumbersOutsideS3RangeAreRefused) {
  EXPECT_FALSE(ledger_->queue_part(UploadRef{1}, PartRecord{0, 0, 1, "e", std::nullopt, std::nullopt}).has_value());
  EXPECT_FALSE(ledger_->queue_part(UploadRef{1}, PartRecord{10'001, 0, 1, "e", std::nullopt, std::nullopt}));
  EXPECT_FALSE(ledger_->queue_upload_end(UploadRef{1}, UploadStatus::active).has_value());
}

TEST_P(TransitionQueueConformance, ChangedObjectAbandonsItsUploadUntilAborted) {
  const JobId j = job();
  add(j, {"big"});
  commit(Transition::of(get(j, "big"), ObjectState::copying));
  auto up = ledger_->begin_upload(UploadStart{get(j, "big").id, "u-1", 5 << 20, 2});
  ASSERT_TRUE(up.has_value());
  ASSERT_TRUE(ledger_->upsert_listed(j, std::vector{listed("big", 999)}).has_value());
  EXPECT_FALSE(ledger_->active_upload(get(j, "big").id)->has_value());
  auto open = ledger_->open_uploads(j);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ(open->front().status, UploadStatus::abandoned);
  // Parts arriving for it now are refused; aborting it closes it.
  ASSERT_TRUE(ledger_->queue_part(*up, PartRecord{1, 0, 5 << 20, "e", std::nullopt, std::nullopt}).has_value());
  ASSERT_TRUE(ledger_->queue_upload_end(*up, UploadStatus::aborted).has_value());
  auto rep = ledger_->flush();
  ASSERT_EQ(rep->rejected.size(), 1u);
  EXPECT_EQ(rep->rejected[0].code, "UploadClosed");
  EXPECT_EQ(rep->rejected[0].upload, *up);
  EXPECT_TRUE(ledger_->open_uploads(j)->empty());
}

TEST_P(TransitionQueueConformance, NewUploadSupersedesTheOldOne) {
  const JobId j = job();
  add(j, {"big"});
  const ObjectId id = get(j, "big").id;
  auto first = ledger_->begin_upload(UploadStart{id, "u-1", 5 << 20, 2});
  auto second = ledger_->begin_upload(UploadStart{id, "u-2", 5 << 20, 2});
  ASSERT_TRUE(first && second);
  EXPECT_EQ((*ledger_->active_upload(id))->upload.upload_id, "u-2");
  auto open = ledger_->open_uploads(std::nullopt);
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ(open->at(0).status, UploadStatus::abandoned);
  EXPECT_EQ(open->at(1).status, UploadStatus::active);
  EXPECT_EQ(ledger_->begin_upload(UploadStart{ObjectId{424242}, "u", 1, 1}).error().code, kLedgerNotFound);
}

}  // namespace s5j::ledger::conformance
