#include "config/key_docs.h"

#include "config/key_table.h"

namespace s5j::config {

std::vector<KeyDoc> key_docs() {
  using detail::Section;
  std::vector<KeyDoc> docs;
  for (const detail::Key& key : detail::all_keys()) {
    KeyDoc doc;
    doc.section =
        key.section == Section::side ? "source and destination" : std::string(detail::section_name(key.section));
    doc.name = std::string(key.name);
    doc.value = detail::type_description(key.type);
    doc.alias_of = std::string(key.alias_of);
    const std::string own_path = std::string(detail::section_name(key.section)) + "." + doc.name;
    if (!key.path.empty() && key.path != own_path) doc.alias_of = std::string(key.path);
    doc.legacy = key.section == Section::local || key.section == Section::transfer_settings ||
                 key.type == detail::Type::ignored || !doc.alias_of.empty();
    doc.secret = key.type == detail::Type::secret;
    doc.url_with_password = key.type == detail::Type::secret_url;
    docs.push_back(std::move(doc));
  }
  return docs;
}

}  // namespace s5j::config
