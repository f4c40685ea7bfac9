"""The shared Fashion-MNIST pipeline's helpers (scripts/models/fashion.py), without training anything."""
import gzip
import os
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "models"))
import fashion  # noqa: E402


class FashionPipelineTest(unittest.TestCase):
    def test_idx_files_read_back_with_their_shape(self):
        images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "x.gz")
            header = bytes([0, 0, 8, 3]) + b"".join(int(n).to_bytes(4, "big") for n in images.shape)
            with gzip.open(path, "wb") as f:
                f.write(header + images.tobytes())
            np.testing.assert_array_equal(fashion.read_idx(path), images)

    def test_dead_channel_planes_are_whole_zero_planes_of_one_image(self):
        x = np.ones((2, 4, 3, 3), dtype=np.float32)
        x[0, 1] = 0.0                 # a dead plane
        x[1, 2, 0, 0] = 0.0           # a zero that does not kill its plane
        x[1, 3] = 0.0
        x[1, 3, 2, 2] = -0.5          # a plane with one live (negative) value is not dead
        stats = fashion.dead_channels(x)
        self.assertEqual(stats["dead_channel_planes"], round(1 / 8, 4))
        self.assertEqual(stats["zeros"], round((9 + 1 + 8) / 72, 4))

    def test_a_missing_dataset_names_the_package(self):
        with tempfile.TemporaryDirectory() as d, self.assertRaises(SystemExit) as caught:
            fashion.load(d)
        self.assertIn("dataset-fashion-mnist", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
