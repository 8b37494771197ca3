#include <stdexcept>

#include "engine/backend/backend.h"

namespace plantwin {

#if !defined(PLANTWIN_HAVE_CUDA)
bool cuda_available(std::string* why) {
  if (why) *why = "this plantwin was built without the cuda backend (nvcc was not found at build time)";
  return false;
}
std::unique_ptr<Backend> make_cuda_backend() {
  std::string why;
  cuda_available(&why);
  throw std::runtime_error("cuda backend unavailable: " + why);
}
#endif

std::unique_ptr<Backend> make_backend(const std::string& name) {
  if (name == "cpu") return make_cpu_backend();
  if (name == "cuda") return make_cuda_backend();
  if (name == "auto") {
    std::string why;
    return cuda_available(&why) ? make_cuda_backend() : make_cpu_backend();
  }
  throw std::runtime_error("unknown backend '" + name + "': expected auto, cpu or cuda");
}

}  // namespace plantwin
