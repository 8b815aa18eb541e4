// Data-parallel training on MPI: the Fashion-MNIST convnet of fashion_mnist_cnn.cpp, trained by
// every process of an MPI job on its share of each batch. The same program runs alone too.
//
//   mpirun -np 2 ./distributed_fashion_mnist                  two processes on this machine
//   mpirun -np 8 --hostfile hosts ./distributed_fashion_mnist  several machines (see README)
//   ./distributed_fashion_mnist                                one process, as any example
//
// Each rank should get its own cores: with OpenMP, `-x OMP_NUM_THREADS=<cores per rank>`.

#include <iostream>

#include <xtensor/xmanipulation.hpp>

#include <strata/strata.hpp>

using namespace strata;

int main() try {
  distributed::init();  // joins the MPI job; a no-op in a plain process
  set_random_seed(42);  // rank 0's weights and shuffles reach every rank at the start of fit
  const auto data = datasets::fashion_mnist::load_data();
  const xt::xarray<float> x_train = xt::expand_dims(data.x_train / 255.0f, 3);
  const xt::xarray<float> x_test = xt::expand_dims(data.x_test / 255.0f, 3);
  const xt::xarray<float> y_train = data.y_train, y_test = data.y_test;

  Sequential model({Input({28, 28, 1}), Conv2D(32, 3, "relu"), MaxPooling2D(2), Conv2D(64, 3, "relu"), MaxPooling2D(2),
                    Flatten(), Dropout(0.5), Dense(10, "softmax")});
  if (distributed::is_primary()) model.summary();
  model.compile("adam", "sparse_categorical_crossentropy", {"accuracy"});
  // 128 is the global batch: with 2 processes each computes 64 samples of every step. Only rank
  // 0 shows the progress bar; its figures are the whole batch's and the whole epoch's.
  model.fit(x_train, y_train,
            {.batch_size = 128,
             .epochs = 12,
             .callbacks = {callbacks::ModelCheckpoint("distributed_fashion_mnist.keras")},  // written by rank 0
             .validation_split = 0.1});
  const Logs test = model.evaluate(x_test, y_test, {.verbose = 0});
  if (distributed::is_primary())
    std::cout << "Test accuracy: " << test.at("accuracy") << " (" << distributed::size() << " process"
              << (distributed::size() > 1 ? "es" : "") << ")\n";
  return 0;
} catch (const strata::Error& e) {
  // One write, so that the ranks' lines do not interleave.
  std::cerr << "rank " + std::to_string(distributed::rank()) + ": " + e.what() + "\n";
  return 1;
}
