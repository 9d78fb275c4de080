// Built only with NPUKIT_SANITIZE: reads one element past a heap buffer. Under AddressSanitizer
// the run ends with a heap-buffer-overflow report, which CTest requires; without the report the
// sanitizer build would be checking nothing.
#include <cstdio>
#include <vector>

int main(int argc, char**) {
  std::vector<int>* v = new std::vector<int>(4 + argc);  // size unknown to the optimizer
  const int* data = v->data();
  volatile int past_end = data[v->size()];
  std::printf("read %d past the end without a report\n", past_end);
  delete v;
  return 0;
}
