// A character-level language model, the classic first generative model of a sequence course:
// windows of 40 characters of a text, Embedding -> LSTM(256) -> Dense softmax over the
// characters, trained to predict each window's next character; then text sampled from it, one
// character at a time, at several temperatures. The text is the GNU GPL version 3, which every
// Debian system ships (/usr/share/common-licenses/GPL-3, package base-files).
//
//   ./char_rnn [--epochs N] [text file]

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <strata/strata.hpp>

using namespace strata;

namespace {

constexpr std::size_t kWindow = 40;

// The next character drawn from `probabilities` sharpened (temperature < 1) or flattened (> 1).
std::size_t sample(const float* probabilities, std::size_t n, double temperature, std::mt19937& rng) {
  std::vector<double> weights(n);
  for (std::size_t i = 0; i < n; ++i)
    weights[i] = std::exp(std::log(std::max(double(probabilities[i]), 1e-12)) / temperature);
  return std::discrete_distribution<std::size_t>(weights.begin(), weights.end())(rng);
}

}  // namespace

int main(int argc, char** argv) try {
  std::string path = "/usr/share/common-licenses/GPL-3";
  int epochs = 20;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--epochs" && i + 1 < argc)
      epochs = std::stoi(argv[++i]);
    else
      path = arg;
  }
  std::ifstream in(path);
  if (!in) {
    std::cerr << "cannot read " << path << '\n';
    return 1;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  // Runs of spaces and line breaks become one space, so the model learns words, not layout.
  std::string text;
  for (const char c : buffer.str()) {
    const char d = (c == '\n' || c == '\t') ? ' ' : c;
    if (d == ' ' && !text.empty() && text.back() == ' ') continue;
    text += d;
  }

  // The vocabulary: index 0 is never a character (Embedding's padding index is free for it).
  std::map<char, int> index;
  std::vector<char> characters{'\0'};
  for (const char c : text)
    if (!index.contains(c)) {
      index[c] = static_cast<int>(characters.size());
      characters.push_back(c);
    }
  const auto vocabulary = static_cast<std::int64_t>(characters.size());
  std::cout << text.size() << " characters, " << vocabulary - 1 << " distinct\n";

  // Every window of kWindow characters (step 3) and the character after it.
  std::vector<std::size_t> starts;
  for (std::size_t s = 0; s + kWindow < text.size(); s += 3) starts.push_back(s);
  xt::xarray<float> x = xt::zeros<float>({starts.size(), kWindow});
  xt::xarray<float> y = xt::zeros<float>({starts.size()});
  for (std::size_t i = 0; i < starts.size(); ++i) {
    for (std::size_t t = 0; t < kWindow; ++t) x(i, t) = static_cast<float>(index[text[starts[i] + t]]);
    y(i) = static_cast<float>(index[text[starts[i] + kWindow]]);
  }

  set_random_seed(7);
  Sequential model({Input({static_cast<std::int64_t>(kWindow)}, {.dtype = "int32"}), Embedding(vocabulary, 32),
                    LSTM(256), Dense(vocabulary, "softmax")});
  model.summary();
  model.compile(optimizers::Adam(0.003), "sparse_categorical_crossentropy", {"accuracy"});
  model.fit(x, y, {.batch_size = 128, .epochs = epochs, .verbose = 2});

  // Generation: a seed window from the text, then one character at a time.
  std::mt19937 rng(11);
  const std::string seed = text.substr(2000, kWindow);
  for (const double temperature : {0.2, 0.5, 1.0}) {
    std::string window = seed, generated;
    xt::xarray<float> context = xt::zeros<float>({std::size_t{1}, kWindow});
    for (int step = 0; step < 240; ++step) {
      for (std::size_t t = 0; t < kWindow; ++t) context(0, t) = static_cast<float>(index[window[t]]);
      const xt::xarray<float> p = model.predict_on_batch(context);
      const char next = characters[sample(p.data(), p.size(), temperature, rng)];
      generated += next;
      window = window.substr(1) + next;
    }
    std::cout << "\n--- temperature " << temperature << ", after \"" << seed << "\":\n" << generated << '\n';
  }
  return 0;
} catch (const strata::Error& e) {
  std::cerr << e.what() << '\n';
  return 1;
}
