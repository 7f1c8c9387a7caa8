#!/usr/bin/env python3
"""Writes the .npy fixtures of TableFileTests with NumPy itself (the reference writer): the same 3×3 array
(element (i, j) = 3i + j + 0.5) in C and Fortran order, big-endian, format version 2.0; a 3-vector; and
arrays slashsim must refuse (float32, 3-D, a truncated file).

    cd Tests/SlashingRiskTests/Fixtures/npy && python3 make_fixtures.py
"""
import numpy as np

a = np.arange(9, dtype=np.float64).reshape(3, 3) + 0.5
np.save("c-order.npy", a)
np.save("fortran-order.npy", np.asfortranarray(a))
np.save("big-endian.npy", a.astype(">f8"))
with open("version-2.npy", "wb") as f:
    np.lib.format.write_array(f, a, version=(2, 0))
np.save("vector.npy", np.array([0.25, -0.5, 0.75]))
np.save("float32.npy", a.astype(np.float32))
np.save("three-d.npy", np.zeros((2, 2, 2)))
with open("c-order.npy", "rb") as f:
    data = f.read()
with open("truncated.npy", "wb") as f:
    f.write(data[:-8])
