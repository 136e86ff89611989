// Access to libphonenumber's PhoneNumberUtil, shared by the phone recogniser.
#pragma once

#include <string>
#include <string_view>

namespace i18n::phonenumbers {
class PhoneNumberUtil;
}

namespace gdpr::identifiers::detail {

// The process-wide PhoneNumberUtil, with its logger silenced (by default it
// writes to stdout/stderr, which in a backend would go to the server log or,
// worse, into a client's COPY stream). Created on first use; thread-safe.
const i18n::phonenumbers::PhoneNumberUtil& phone_util();

// libphonenumber wants an upper-case ISO 3166 region; "ZZ" (unknown) when
// `region` is empty or not two letters, so only international numbers parse.
std::string phone_region(std::string_view region);

}  // namespace gdpr::identifiers::detail
