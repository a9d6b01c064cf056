"""Write layers/core/src/filters/wavelet/filter-banks.json from PyWavelets' filter tables.

Run with a Python that has PyWavelets (the Debian package python3-pywt works):
    /usr/bin/python3 test/wavelet/tools/dump_filter_banks.py > layers/core/src/filters/wavelet/filter-banks.json

The float64 filters are PyWavelets' `Wavelet(name).dec_lo` etc., written with round-trip precision (repr).
PyWavelets also keeps float32 copies of each table, used when it transforms a float32 image; those are not
exposed in Python, so they are read back as the response of a float32 stationary transform to a unit impulse
(each output is then exactly one filter tap). They are stored only where they differ from the float64 taps
rounded to float32.
"""
import json
import sys

import numpy as np
import pywt


def float32_taps(wavelet, which):
    taps = len(wavelet.dec_lo)
    length = 2 * taps
    impulse = np.zeros(length, dtype=np.float32)
    impulse[0] = 1
    approximation, detail = pywt.swt(impulse, wavelet, level=1, trim_approx=False)[0]
    response = approximation if which == 'lo' else detail
    assert response.dtype == np.float32
    # output[o] = sum_j f[j] x[(o + F/2 - j) mod N], so tap j is output (j - F/2) mod N.
    return [float(response[(j - taps // 2) % length]) for j in range(taps)]


def main():
    banks = {}
    for name in pywt.wavelist(kind='discrete'):
        wavelet = pywt.Wavelet(name)
        entry = {
            'family': wavelet.short_family_name,
            'orthogonal': bool(wavelet.orthogonal),
            'biorthogonal': bool(wavelet.biorthogonal),
            'decLo': [float(v) for v in wavelet.dec_lo],
            'decHi': [float(v) for v in wavelet.dec_hi],
            'recLo': [float(v) for v in wavelet.rec_lo],
            'recHi': [float(v) for v in wavelet.rec_hi],
        }
        for which, key in (('lo', 'decLo'), ('hi', 'decHi')):
            single = float32_taps(wavelet, which)
            rounded = [float(np.float32(v)) for v in entry[key]]
            if single != rounded:
                entry[key + 'Float32'] = single
        banks[name] = entry

    document = {
        'description': 'Analysis (dec) and synthesis (rec) filters of the discrete wavelets PyWavelets lists, '
                       'in PyWavelets order and sign convention (dec filters are applied as convolution kernels).',
        'source': 'PyWavelets %s, pywt.Wavelet(name).dec_lo/dec_hi/rec_lo/rec_hi; float32 variants read back '
                  'from pywt.swt on a float32 unit impulse. See README.md beside this file.' % pywt.__version__,
        'wavelets': banks,
    }
    json.dump(document, sys.stdout, separators=(',', ':'))
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
