// plot_model: the DOT text names every layer, class and shape and draws every connection;
// Graphviz renders it to PNG and SVG.

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

#include "strata/strata.hpp"

using namespace strata;

TEST_CASE("model_to_dot draws a Functional graph's layers, shapes and connections", "[models][plot]") {
  auto image = Input({8}, {.name = "image"});
  auto meta = Input({3}, {.name = "meta"});
  auto h = Dense(4, "relu", {.name = "trunk"})(image);
  h = Concatenate(-1, {.name = "joined"})({h, meta});
  Model model({image, meta}, Dense(2, "linear", {.name = "head"})(h), "plotted");

  const std::string dot = model_to_dot(model, {.show_shapes = true});
  CHECK_THAT(dot, Catch::StartsWith("digraph \"plotted\" {"));
  CHECK_THAT(dot, Catch::Contains("label=\"image (InputLayer)\\nOutput shape: (None, 8)\""));
  CHECK_THAT(dot, Catch::Contains("label=\"joined (Concatenate)\\nInput shape: [(None, 4), (None, 3)]\\nOutput "
                                  "shape: (None, 7)\""));
  // image -> trunk, trunk -> joined, meta -> joined, joined -> head (ids in model.layers order).
  std::vector<std::string> names;
  for (const Layer* layer : model.layers()) names.push_back(layer->name());
  CHECK(names == std::vector<std::string>{"image", "trunk", "meta", "joined", "head"});
  for (const char* edge : {"n0 -> n1;", "n1 -> n3;", "n2 -> n3;", "n3 -> n4;"}) CHECK_THAT(dot, Catch::Contains(edge));

  const std::string plain = model_to_dot(model, {.show_layer_names = false, .rankdir = "LR"});
  CHECK_THAT(plain, Catch::Contains("rankdir=LR"));
  CHECK_THAT(plain, Catch::Contains("label=\"Concatenate\""));
  CHECK_THROWS_WITH(model_to_dot(model, {.rankdir = "XY"}), Catch::Contains("rankdir"));
}

TEST_CASE("plot_model writes DOT, PNG and SVG files, and refuses other names", "[models][plot]") {
  Sequential model({Input({4}), Dense(3, "relu"), Dense(2)}, "chain");
  const std::string base = "/tmp/strata_plot_test_" + std::to_string(::getpid());
  plot_model(model, base + ".dot");
  std::ifstream dot(base + ".dot");
  const std::string text((std::istreambuf_iterator<char>(dot)), std::istreambuf_iterator<char>());
  CHECK(text == model_to_dot(model));
  CHECK_THROWS_WITH(plot_model(model, base + ".jpeg"), Catch::Contains("must end in .png, .svg, .pdf or .dot"));
  if (std::system("command -v dot > /dev/null 2>&1") != 0) {
    CHECK_THROWS_WITH(plot_model(model, base + ".png"), Catch::Contains("apt-get install graphviz"));
    WARN("Graphviz's dot is not installed: PNG rendering not checked");
  } else {
    plot_model(model, base + ".png", {.show_shapes = true});
    std::ifstream png(base + ".png", std::ios::binary);
    char magic[8] = {};
    png.read(magic, 8);
    CHECK(std::string(magic + 1, 3) == "PNG");
    plot_model(model, base + ".svg");
    std::ifstream svg(base + ".svg");
    const std::string svg_text((std::istreambuf_iterator<char>(svg)), std::istreambuf_iterator<char>());
    CHECK_THAT(svg_text, Catch::Contains("<svg"));
    std::remove((base + ".png").c_str());
    std::remove((base + ".svg").c_str());
  }
  std::remove((base + ".dot").c_str());
}
