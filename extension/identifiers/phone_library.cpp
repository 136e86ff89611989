#include "phone_library.hpp"

#include <phonenumbers/logger.h>
#include <phonenumbers/phonenumberutil.h>

#include "ascii.hpp"

namespace gdpr::identifiers::detail {

const i18n::phonenumbers::PhoneNumberUtil& phone_util() {
  // A function-local static is initialised exactly once, even with threads.
  // GetInstance() loads the metadata of every region (a few ms, a few MB);
  // warm_up() lets the postmaster do that before it forks backends.
  static i18n::phonenumbers::PhoneNumberUtil* const util = [] {
    auto* instance = i18n::phonenumbers::PhoneNumberUtil::GetInstance();
    instance->SetLogger(new i18n::phonenumbers::NullLogger());  // the util takes ownership
    return instance;
  }();
  return *util;
}

std::string phone_region(std::string_view region) {
  region = ascii::trim(region);
  if (region.size() != 2 || !ascii::is_alpha(region[0]) || !ascii::is_alpha(region[1])) return "ZZ";
  return ascii::upper(region);
}

}  // namespace gdpr::identifiers::detail
