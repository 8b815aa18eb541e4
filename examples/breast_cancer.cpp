// A classroom example on tabular data: the Wisconsin breast cancer data set that Debian's
// python3-sklearn ships as a CSV file. A stratified train/test split, a Normalization layer
// adapted on the training rows only, a small classifier with EarlyStopping (restoring the best
// epoch's weights) and a learning-rate reduction on plateaus, the learning curves drawn to
// breast_cancer_curves.png and written to breast_cancer_history.csv.
//
//   ./breast_cancer [path to breast_cancer.csv]

#include <iostream>

#include <strata/strata.hpp>

using namespace strata;

int main(int argc, char** argv) try {
  set_random_seed(7);
  const std::string path =
      argc > 1 ? argv[1] : "/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv";
  // The first line is scikit-learn's "569,30,malignant,benign" (counts and class names), not a
  // header; then 30 features and the class (0 malignant, 1 benign) per line.
  const data::CsvTable table = data::read_csv(path, {.header = false, .skip_rows = 1});
  const xt::xarray<float> x = xt::view(table.values, xt::all(), xt::range(0, 30));
  const xt::xarray<float> y = xt::view(table.values, xt::all(), xt::range(30, 31));
  const data::Split split = data::train_test_split(x, y, {.test_size = 0.2, .seed = 42, .stratify = true});
  std::cout << "training rows: " << split.x_train.shape()[0] << ", test rows: " << split.x_test.shape()[0] << '\n';

  // The features range from 1e-3 to 4e3: a Normalization layer learns their mean and variance
  // from the training rows, and the model carries it, so predictions take raw measurements.
  Normalization normalize;
  normalize.adapt(split.x_train);
  Sequential model({Input({30}), normalize, Dense(16, "relu"), Dropout(0.2), Dense(8, "relu"), Dense(1, "sigmoid")});
  model.compile("adam", "binary_crossentropy", {"accuracy", metrics::AUC(), metrics::Precision(), metrics::Recall()});
  model.summary();

  callbacks::EarlyStopping stop({.monitor = "val_loss", .patience = 15, .restore_best_weights = true});
  const History history = model.fit(
      split.x_train, split.y_train,
      {.batch_size = 16,
       .epochs = 300,
       .verbose = 2,
       .callbacks = {stop, callbacks::ReduceLROnPlateau({.monitor = "val_loss", .factor = 0.5, .patience = 5})},
       .validation_split = 0.2,
       .shuffle_before_split = true});
  std::cout << "stopped after epoch " << history.epoch.back() + 1 << "; best epoch " << stop.best_epoch() + 1 << '\n';

  const Logs test = model.evaluate(split.x_test, split.y_test, {.verbose = 0});
  std::cout << "Test accuracy: " << test.at("accuracy") << ", AUC: " << test.at("auc")
            << ", precision: " << test.at("precision") << ", recall: " << test.at("recall") << '\n';
  history.to_csv("breast_cancer_history.csv");
  history.plot("breast_cancer_curves.png", {.title = "Breast cancer classifier"});
  std::cout << "wrote breast_cancer_curves.png and breast_cancer_history.csv\n";
  return 0;
} catch (const strata::Error& e) {
  std::cerr << e.what() << '\n';
  return 1;
}
