# Writes h5py_fixture.h5, the file hdf5_file_test.cpp reads to check that H5Reader reads what
# h5py (and so Keras) writes: run with the Keras venv's python from this directory.
import h5py, ml_dtypes, numpy as np

with h5py.File("h5py_fixture.h5", "w") as f:
    f.attrs["name"] = "dense"                               # variable-length UTF-8 str
    f.attrs["unicode"] = "caf\u00e9 \u2713"
    f.attrs["fixed"] = np.bytes_(b"fixed")                  # fixed-length scalar string
    f.attrs["layer_names"] = np.array([b"dense", b"dense_1"])  # fixed-length list (Keras 2)
    f.attrs["weight_names"] = [b"kernel:0", b"bias:0"]      # h5py 3 writes a list as variable-length
    f.attrs["empty"] = []                                   # an empty float64 array
    v = f.create_group("layers/dense/vars")
    v["0"] = np.arange(6, dtype=np.float32).reshape(2, 3) / 4
    v["1"] = np.array([1.5, -2.0, 3.25], dtype=np.float32)
    f["f64"] = np.array([0.1, -1e300, 1e300, 2.5])
    f["f16"] = np.array([0.5, -2.0, 65504.0, 6e-8, np.inf], dtype=np.float16)
    f["iterations"] = np.int64(42)
    f.create_dataset("bf16", data=np.array([1.5, -2.0, 3.0], dtype=ml_dtypes.bfloat16)).attrs["dtype"] = "bfloat16"
    f.create_dataset("gzip", data=np.arange(1000, dtype=np.float32), chunks=(100,), compression="gzip",
                     shuffle=True, fletcher32=True)
    for i in range(12): f[f"numbered/{i}"] = np.float32(i)
    ordered = f.create_group("ordered", track_order=True)
    for name in ["b", "a", "c"]: ordered.create_group(name)
