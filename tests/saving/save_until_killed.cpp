// save_until_killed PATH: saves a large model (about 64 MB of weights) to PATH over and over,
// until a signal ends it. model_saving_test.cpp kills it with SIGKILL in the middle of a save and
// then checks that PATH still holds a whole model (the one before, or one complete save).

#include <iostream>

#include "strata/strata.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: save_until_killed PATH\n";
    return 2;
  }
  using namespace strata;
  Sequential model({Input({2048}), Dense(8192)}, "large");
  for (;;) model.save(argv[1]);
}
