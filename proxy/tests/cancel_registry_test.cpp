#include <gtest/gtest.h>

#include <set>

#include "server/cancel_registry.hpp"

namespace gdpr::proxy {
namespace {

CancelTarget target(std::uint32_t pid) {
  return {{pid, pid * 3}, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 5432)};
}

TEST(CancelRegistry, MapsTheIssuedKeyToTheServersKey) {
  CancelRegistry registry;
  auto registration = registry.add(target(1001));
  auto found = registry.find(registration.proxy_key());
  ASSERT_TRUE(found);
  EXPECT_EQ(found->server_key.process_id, 1001u);
  EXPECT_EQ(found->server_key.secret_key, 3003u);
  // The client never learns the server's key: the issued key differs from it.
  EXPECT_FALSE(registration.proxy_key() == found->server_key);
}

TEST(CancelRegistry, UnknownKeysAreNotFound) {
  CancelRegistry registry;
  auto registration = registry.add(target(1));
  auto key = registration.proxy_key();
  key.secret_key ^= 1;
  EXPECT_FALSE(registry.find(key));
}

TEST(CancelRegistry, RegistrationRemovesItsKeyWhenDestroyedOrMoved) {
  CancelRegistry registry;
  BackendKey key;
  {
    auto first = registry.add(target(1));
    key = first.proxy_key();
    CancelRegistry::Registration moved = std::move(first);
    EXPECT_EQ(registry.size(), 1u);
    EXPECT_TRUE(registry.find(key));
  }
  EXPECT_EQ(registry.size(), 0u);
  EXPECT_FALSE(registry.find(key));
}

TEST(CancelRegistry, IssuedKeysAreDistinctAndPidsPositive) {
  CancelRegistry registry;
  std::vector<CancelRegistry::Registration> registrations;
  std::set<std::pair<std::uint32_t, std::uint32_t>> keys;
  for (std::uint32_t i = 0; i < 2000; ++i) {
    registrations.push_back(registry.add(target(i)));
    const auto& k = registrations.back().proxy_key();
    EXPECT_LT(k.process_id, 0x80000000u);
    keys.emplace(k.process_id, k.secret_key);
  }
  EXPECT_EQ(keys.size(), 2000u);
  EXPECT_EQ(registry.size(), 2000u);
}

}  // namespace
}  // namespace gdpr::proxy
