"""What the Keras 3 sides of the benchmarks (bench/mlp_keras.py, bench/cnn_keras.py) share:
pinning the backend to N threads before Keras is imported, reading Fashion-MNIST's IDX files as
Strata does, and timing predict at several batch sizes.

The backend is KERAS_BACKEND's (jax or tensorflow; jax when unset). Both scripts run in the
bench's own venv (scripts/bench-venv), never in the library's:

    KERAS_BACKEND=jax .venv-bench/bin/python bench/mlp_keras.py --threads 2
    KERAS_BACKEND=tensorflow .venv-bench/bin/python bench/cnn_keras.py --threads 2 --jit-compile

Threads: every backend gets OMP_NUM_THREADS=N (oneDNN's OpenMP builds). JAX: XLA_FLAGS gets
--xla_cpu_multi_thread_eigen=true (Eigen's thread pool for XLA's dots and convolutions) and,
where this XLA starts with it, intra_op_parallelism_threads=N, the setting usually quoted for
this (it is TensorFlow's name, not one of XLA's flags: XLA passes over it). What limits XLA:CPU
is that it sizes its thread pools from the CPUs the process may run on, so the process is bound
to N of them (os.sched_setaffinity) when it may use more. TensorFlow: TF_NUM_INTRAOP_THREADS=N and
TF_NUM_INTEROP_THREADS=1, and tf.config.threading's intra-op N, inter-op 1 before the first op.
On JAX, TensorFlow (installed in the same venv) is never imported: seed() does not call
keras.utils.set_random_seed, which imports it to seed tf.random, and would add its libraries to
the process's memory.

The data are the Debian package's files (dataset-fashion-mnist): keras.datasets is not used, as it
downloads.
"""

import os
import random
import subprocess
import sys
import time

import numpy as np

import fashion_mnist_files



def _xla_accepts(flag):
    """Whether this jaxlib's XLA starts with `flag` in XLA_FLAGS (newer ones abort on a flag they
    do not know, as they do on intra_op_parallelism_threads, which is TensorFlow's name)."""
    env = dict(os.environ, XLA_FLAGS=flag, JAX_PLATFORMS="cpu")
    probe = "import jax, jax.numpy as jnp; jnp.zeros(1).block_until_ready()"
    return subprocess.run([sys.executable, "-c", probe], env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, timeout=120).returncode == 0


def configure_threads(threads):
    """Pins the backend KERAS_BACKEND names to `threads` threads. Call before importing keras;
    returns a line saying what was set."""
    backend = os.environ.setdefault("KERAS_BACKEND", "jax")
    os.environ["OMP_NUM_THREADS"] = str(threads)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")   # CPU only, whatever the wheel
    said = [f"OMP_NUM_THREADS={threads}"]
    if backend == "jax":
        os.environ["JAX_PLATFORMS"] = "cpu"
        flags = [os.environ.get("XLA_FLAGS", ""), "--xla_cpu_multi_thread_eigen=true"]
        intra = f"intra_op_parallelism_threads={threads}"
        if _xla_accepts(f"--xla_cpu_multi_thread_eigen=true {intra}"):
            flags.append(intra)
        os.environ["XLA_FLAGS"] = " ".join(f for f in flags if f)
        said.append(f"XLA_FLAGS='{os.environ['XLA_FLAGS']}'")
        cpus = sorted(os.sched_getaffinity(0))
        if threads < len(cpus):
            os.sched_setaffinity(0, cpus[:threads])
        said.append(f"bound to CPUs {','.join(map(str, sorted(os.sched_getaffinity(0))))}")
    elif backend == "tensorflow":
        os.environ["TF_NUM_INTRAOP_THREADS"] = str(threads)
        os.environ["TF_NUM_INTEROP_THREADS"] = "1"
        said.append(f"TF intra-op {threads}, inter-op 1")
    else:
        raise SystemExit(f"keras bench: KERAS_BACKEND must be jax or tensorflow, not {backend}")
    return ", ".join(said)


def finish_thread_setup(threads):
    """What can only be set once Keras (and so the backend) is imported, before any op runs."""
    import keras

    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(1)


def seed(value):
    """keras.utils.set_random_seed(value) without importing TensorFlow on the JAX backend."""
    import keras

    if keras.backend.backend() == "tensorflow":
        keras.utils.set_random_seed(value)
        return
    random.seed(value)
    np.random.seed(value)
    try:  # what set_random_seed does for Keras's own generators (Keras 3's layout)
        from keras.src.backend.common import global_state

        global_state.set_global_attribute("global_random_seed", value)
        global_state.set_global_attribute("global_seed_generator", None)
    except ImportError:
        pass


def versions(jit_compile):
    """`keras 3.x, jax 0.x (jit_compile True)` for the versions line."""
    import keras

    backend = keras.backend.backend()
    if backend == "jax":
        import jax
        import jaxlib

        engine = f"jax {jax.__version__} (jaxlib {jaxlib.__version__})"
    else:
        import tensorflow as tf

        engine = f"tensorflow {tf.__version__}"
    return f"keras {keras.__version__}, {engine}, jit_compile {jit_compile}, numpy {np.__version__}"


def load_fashion_mnist(kind, samples=None):
    """The first `samples` images of `kind` ("train" or "t10k") scaled to [0, 1] as an
    (N, 28, 28) float32 array, and their labels as int32."""
    x, y = fashion_mnist_files.load(kind, samples)
    return x, y.astype(np.int32)


def parse_batches(text):
    """"32,128,1024" -> [32, 128, 1024]."""
    batches = [int(b) for b in text.split(",")]
    if not batches or min(batches) <= 0:
        raise SystemExit(f"--predict-batches expects positive integers separated by commas, not {text}")
    return batches


def time_fit(model, x, y, batch_size, epochs):
    """Seconds per epoch of model.fit over `epochs` epochs (shuffled, as Keras's default), and the
    last epoch's loss and accuracy."""
    t0 = time.perf_counter()
    history = model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0)
    seconds = (time.perf_counter() - t0) / epochs
    return seconds, history.history["loss"][-1], history.history["accuracy"][-1]


def time_predict(model, x, batches, reported=128):
    """For each batch size: one untimed model.predict, then one timed. Returns the seconds per
    batch size and the probabilities of the `reported` batch size's pass (the first's when it is
    not among them)."""
    seconds = []
    probs = None
    for i, batch in enumerate(batches):
        model.predict(x, batch_size=batch, verbose=0)  # untimed: tracing, compilation, pages
        t0 = time.perf_counter()
        p = model.predict(x, batch_size=batch, verbose=0)
        seconds.append(time.perf_counter() - t0)
        if batch == reported or i == 0:
            probs = p
    return seconds, probs
