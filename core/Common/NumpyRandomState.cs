namespace Msr.Core.Common;

/// <summary>
/// The random stream of NumPy's legacy <c>numpy.random.RandomState(seed)</c>: MT19937 seeded with one 32-bit
/// integer, and its <c>permutation</c> (Fisher–Yates from the last element down, bounded draws by masked
/// rejection). It exists so that splits the reference benchmark made with scikit-learn
/// (<c>train_test_split(..., random_state=2022)</c>, which calls <c>RandomState(2022).permutation(n)</c>) can be
/// reproduced row for row, without Python. Checked against NumPy's own output in the tests.
/// </summary>
public sealed class NumpyRandomState
{
    const int StateLength = 624, Shift = 397;
    const uint MatrixA = 0x9908b0df, UpperMask = 0x80000000, LowerMask = 0x7fffffff;

    readonly uint[] _state = new uint[StateLength];
    int _position;

    /// <summary>Seeds as <c>RandomState(seed)</c> does for an integer seed in [0, 2³²).</summary>
    public NumpyRandomState(long seed)
    {
        if (seed is < 0 or > uint.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(seed), seed, "a RandomState seed must lie in [0, 2^32)");
        uint s = (uint)seed;
        for (int i = 0; i < StateLength; i++)
        {
            _state[i] = s;
            s = unchecked(1812433253u * (s ^ (s >> 30)) + (uint)i + 1);
        }
        _position = StateLength;
    }

    /// <summary>The next raw 32-bit output (MT19937 <c>genrand_int32</c>).</summary>
    public uint NextUInt32()
    {
        if (_position >= StateLength) Regenerate();
        uint y = _state[_position++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        return y ^ (y >> 18);
    }

    /// <summary>
    /// A uniform integer in [0, <paramref name="max"/>] (NumPy's legacy <c>random_interval</c>: draw 32 bits, keep
    /// those under the smallest all-ones mask covering <paramref name="max"/>, retry above it).
    /// </summary>
    public uint Interval(uint max)
    {
        if (max == 0) return 0;
        uint mask = max;
        mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4; mask |= mask >> 8; mask |= mask >> 16;
        uint value;
        while ((value = NextUInt32() & mask) > max) { }
        return value;
    }

    /// <summary><c>RandomState.permutation(n)</c>: a shuffled 0…n−1.</summary>
    public int[] Permutation(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var values = new int[n];
        for (int i = 0; i < n; i++) values[i] = i;
        for (int i = n - 1; i >= 1; i--)
        {
            int j = (int)Interval((uint)i);
            (values[i], values[j]) = (values[j], values[i]);
        }
        return values;
    }

    void Regenerate()
    {
        int i = 0;
        for (; i < StateLength - Shift; i++) Twist(i, i + Shift);
        for (; i < StateLength - 1; i++) Twist(i, i + Shift - StateLength);
        uint y = (_state[StateLength - 1] & UpperMask) | (_state[0] & LowerMask);
        _state[StateLength - 1] = _state[Shift - 1] ^ (y >> 1) ^ ((y & 1) != 0 ? MatrixA : 0);
        _position = 0;
    }

    void Twist(int i, int far)
    {
        uint y = (_state[i] & UpperMask) | (_state[i + 1] & LowerMask);
        _state[i] = _state[far] ^ (y >> 1) ^ ((y & 1) != 0 ? MatrixA : 0);
    }
}
