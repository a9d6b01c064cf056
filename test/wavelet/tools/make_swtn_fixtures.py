"""Write test/wavelet/fixtures/swtn-cases.json: PyWavelets `swtn` sub-bands of small volumes, computed the
way PyRadiomics 3.x calls it (odd dimensions wrap-padded by one voxel at the end, `swtn` at level 1 once per
level on the previous approximation, axes (x, y, z), trimmed back).

Run: /usr/bin/python3 test/wavelet/tools/make_swtn_fixtures.py > test/wavelet/fixtures/swtn-cases.json
"""
import json
import sys

import numpy as np
import pywt


def subbands(volume_zyx, wavelet, level, start_level, axes):
    shape = volume_zyx.shape
    approximation = 'a' * len(axes)
    data = np.pad(volume_zyx, [(0, n % 2) for n in shape], mode='wrap')
    trim = tuple(slice(0, n) for n in shape)
    for _ in range(start_level):
        data = pywt.swtn(data, wavelet, level=1, start_level=0, axes=axes)[0][approximation]
    bands = {}
    for index in range(1, level + 1):
        decomposition = pywt.swtn(data, wavelet, level=1, start_level=0, axes=axes)[0]
        prefix = 'wavelet-' if index == 1 else 'wavelet%d-' % index
        for key, band in decomposition.items():
            if key != approximation:
                bands[prefix + key.replace('a', 'L').replace('d', 'H')] = band[trim]
        data = decomposition[approximation]
    bands[('wavelet-' if level == 1 else 'wavelet%d-' % level) + 'L' * len(axes)] = data[trim]
    return bands


def case(name, size_xyz, dtype, wavelet, level, start_level, seed, force2d_dimension=None):
    # PyRadiomics transforms numpy axes (2, 1, 0) = (x, y, z), less force2Ddimension with force2D.
    axes = tuple(axis for axis in (2, 1, 0) if axis != force2d_dimension)
    rng = np.random.default_rng(seed)
    volume = rng.integers(-1000, 1500, size=size_xyz[::-1]).astype(dtype)
    if dtype == np.float32:
        volume = (volume + rng.random(volume.shape)).astype(np.float32)
    bands = subbands(volume, wavelet, level, start_level, axes)
    for band in bands.values():
        assert band.dtype == (np.float32 if dtype == np.float32 else np.float64)
    return {
        'name': name,
        'size': list(size_xyz),
        'dtype': np.dtype(dtype).name,
        'wavelet': wavelet,
        'level': level,
        'startLevel': start_level,
        'force2DDimension': force2d_dimension,
        # Flattened with x fastest, as ImageVolume stores voxels.
        'image': [float(v) for v in volume.ravel()],
        'subBands': {key: [float(v) for v in band.ravel()] for key, band in bands.items()},
    }


def main():
    cases = [case('%s on 5 x 4 x 3' % w, (5, 4, 3), np.int16, w, 1, 0, 10 + i)
             for i, w in enumerate(['haar', 'db2', 'sym5', 'coif2', 'bior1.3', 'rbio3.1', 'bior6.8', 'dmey'])]
    cases.append(case('coif1 levels 2 from start level 1 on 7 x 6 x 5', (7, 6, 5), np.int16, 'coif1', 2, 1, 31))
    cases.append(case('coif1 float32 on 7 x 6 x 5', (7, 6, 5), np.float32, 'coif1', 1, 0, 32))
    cases.append(case('db3 float32 levels 2 on 6 x 5 x 4', (6, 5, 4), np.float32, 'db3', 2, 0, 33))
    cases.append(case('coif1 2-D without z on 7 x 6 x 5', (7, 6, 5), np.int16, 'coif1', 1, 0, 34, 0))
    cases.append(case('db2 2-D without y, 2 levels, on 6 x 5 x 3', (6, 5, 3), np.int16, 'db2', 2, 0, 35, 1))
    cases.append(case('sym3 float32 2-D without x on 5 x 6 x 4', (5, 6, 4), np.float32, 'sym3', 1, 1, 36, 2))
    json.dump({'source': 'PyWavelets %s swtn, see the docstring of make_swtn_fixtures.py' % pywt.__version__,
               'cases': cases}, sys.stdout, separators=(',', ':'))
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
