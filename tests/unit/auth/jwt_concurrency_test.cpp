// One JwtVerifier shared by several threads (as the shards share it): every thread gets the
// same answers it would get alone.
#include "auth/jwt_verifier.hpp"
#include "jwt_test_support.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace sg::auth {
namespace {

TEST(JwtConcurrency, VerifiesFromManyThreadsAtOnceWithConsistentResults) {
  JwtConfig config;
  config.secret = "threads";
  config.public_key_pem = test::rsa_2048_keys().public_pem;
  const JwtVerifier verifier(std::move(config));

  const std::string rs_token = test::make_token(R"({"alg":"RS256"})", test::valid_claims_json(),
                                                test::rs256_signer(test::rsa_2048_keys()));
  const std::string hs_token = sign_hs_token({{"sub", "alice"}}, "threads");
  const std::string forged = sign_hs_token({{"sub", "alice"}}, "not the secret");

  constexpr int kThreads = 4;
  constexpr int kRoundsPerThread = 200;
  std::atomic<int> wrong_answers{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRoundsPerThread; ++i) {
        if (!verifier.verify(rs_token, test::test_now()).identity) ++wrong_answers;
        if (!verifier.verify(hs_token, test::test_now()).identity) ++wrong_answers;
        if (verifier.verify(forged, test::test_now()).identity) ++wrong_answers;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong_answers.load(), 0);
}

}  // namespace
}  // namespace sg::auth
