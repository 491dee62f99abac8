using Msr.Core.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace Msr.Core.Data;

/// <summary>Row indices (int64 vectors) of the train, validation and test parts of a dataset.</summary>
public sealed class DatasetSplit : IDisposable
{
    public Tensor Train { get; }
    public Tensor Validation { get; }
    public Tensor Test { get; }

    public DatasetSplit(Tensor train, Tensor validation, Tensor test)
    {
        Train = train.to_type(ScalarType.Int64).DetachFromDisposeScope();
        Validation = validation.to_type(ScalarType.Int64).DetachFromDisposeScope();
        Test = test.to_type(ScalarType.Int64).DetachFromDisposeScope();
    }

    /// <summary>
    /// The reference protocol's random split: one seeded permutation of all rows, cut into
    /// ⌊0.8N⌋ train, ⌊0.1N⌋ validation and the rest test (taken in permutation order).
    /// The split therefore changes with the seed, as in the benchmark's repeated runs.
    /// </summary>
    public static DatasetSplit Random(long rows, long seed, double trainFraction = 0.8, double validationFraction = 0.1)
    {
        if (rows < 3) throw new ArgumentException($"cannot split {rows} rows into train/validation/test", nameof(rows));
        if (trainFraction <= 0 || validationFraction <= 0 || trainFraction + validationFraction >= 1)
            throw new ArgumentException($"fractions must be positive and sum below 1 (train {trainFraction}, validation {validationFraction})");
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)seed);
        var perm = randperm(rows, generator: generator);
        long nTrain = (long)Math.Floor(trainFraction * rows), nVal = (long)Math.Floor(validationFraction * rows);
        return new DatasetSplit(perm.narrow(0, 0, nTrain).clone(), perm.narrow(0, nTrain, nVal).clone(),
            perm.narrow(0, nTrain + nVal, rows - nTrain - nVal).clone());
    }

    /// <summary>
    /// scikit-learn's <c>train_test_split(rows, test_size=testFraction, random_state=randomState)</c> (shuffled):
    /// ⌈testFraction·N⌉ test rows and the rest train, both taken from <c>RandomState(randomState).permutation(N)</c>
    /// (test first, then train) and kept in permutation order, as the returned frames are. The reference benchmark
    /// made Ali-CCP's validation and test halves this way (spec §3.3); <see cref="NumpyRandomState"/> reproduces it
    /// row for row.
    /// </summary>
    public static (int[] Train, int[] Test) ScikitLearnTrainTest(int rows, double testFraction, long randomState)
    {
        if (rows < 2) throw new ArgumentException($"cannot split {rows} rows into two non-empty parts", nameof(rows));
        if (testFraction is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "must lie strictly between 0 and 1");
        int nTest = (int)Math.Ceiling(testFraction * rows);
        if (nTest >= rows) throw new ArgumentException($"test fraction {testFraction} of {rows} rows leaves no training row");
        var permutation = new NumpyRandomState(randomState).Permutation(rows);
        return (permutation[nTest..], permutation[..nTest]);
    }

    /// <summary>The same index vectors on <paramref name="device"/> (a new split the caller disposes).</summary>
    public DatasetSplit To(Device device) => new(Train.to(device), Validation.to(device), Test.to(device));

    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
        Test.Dispose();
    }
}
