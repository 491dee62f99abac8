namespace Msr.Core.Data.AliCcp;

/// <summary>
/// An Ali-CCP-shaped synthetic twin, written straight into a processed-cache entry (<see cref="CacheEntryWriter"/>) in
/// chunks, with no CSV to write or parse: the way to train at the full data's 85 M rows on a small machine, where the
/// CSV route alone would need ~14 GB of managed heap. It has <see cref="AliCcpLoader"/>'s schema (23 id fields with
/// <c>301</c> among them, 8 dense D-columns, label <c>click</c>, scenario = <c>301</c>, user = <c>101</c>, predefined
/// train/validation/test split), the full data's scenario shares and train/test proportions (spec §3.3), a click rate
/// near 4 % and vocabularies of the full data's orders of magnitude. It measures speed and memory only: its labels
/// carry a weak made-up signal, not Ali-CCP's.
/// </summary>
/// <remarks>
/// Rows are generated chunk by chunk, each chunk from its own seeded generator, so the file is the same for the same
/// row count and seed whatever the number of threads that wrote it. Memory stays at a few chunks (~140 MB each).
/// </remarks>
public static class AliCcpTwin
{
    /// <summary>
    /// Vocabulary (max id + 1) of each field of <see cref="AliCcpLoader.SparseColumns"/>, in that order: orders of
    /// magnitude of the processed full data (≈240 k users in field 101, ≈470 k items in 205, hundreds of thousands of
    /// shops, brands and behaviour ids, a handful of values in the profile fields, 4 in <c>301</c> whose ids are 1-3),
    /// not its exact counts, which this project does not have.
    /// </summary>
    public static readonly int[] Vocabularies =
    [
        238_635, 98, 14, 3, 8, 4, 4, 3, 5, 467_298, 6_929, 263_942, 80_232, 106_399,
        5_888, 104_830, 51_878, 37_148, 4, 5_853, 105_622, 53_843, 31_858,
    ];

    /// <summary>Rows per scenario in the full data (spec §3.3: <c>301</c> = 1, 2, 3).</summary>
    static readonly double[] ScenarioRows = [32_236_951, 639_897, 52_439_671];
    /// <summary>The official training file's share of all rows (≈42.3 M of ≈85.3 M); the test file is cut in half as validation and test.</summary>
    public const double TrainShare = 42.3 / 85.3;
    /// <summary>Base click rate per scenario (about 4 % overall, as in Ali-CCP).</summary>
    static readonly double[] ScenarioCtr = [0.045, 0.03, 0.036];
    /// <summary>Rows generated and written at a time (~140 MB of arrays).</summary>
    public const int DefaultChunkRows = 1 << 20;
    static readonly int ScenarioField = Array.IndexOf(AliCcpLoader.SparseColumns, "301");
    static readonly int UserField = Array.IndexOf(AliCcpLoader.SparseColumns, "101");
    static readonly int ItemField = Array.IndexOf(AliCcpLoader.SparseColumns, "205");

    /// <summary>The schema of <see cref="AliCcpLoader"/>'s datasets, with <see cref="Vocabularies"/>.</summary>
    public static DatasetSchema Schema { get; } = new(
        [.. AliCcpLoader.SparseColumns.Select((c, i) => FeatureSpec.Sparse(c, Vocabularies[i])), .. AliCcpLoader.DenseColumns.Select(FeatureSpec.Dense)],
        ["301=1", "301=2", "301=3"], "click", "scenario_301", "101");

    /// <summary>Train, validation and test sizes for <paramref name="rows"/> rows: the official train share, the rest halved (test gets the odd row).</summary>
    public static SplitSizes Split(long rows)
    {
        if (rows < 3) throw new ArgumentOutOfRangeException(nameof(rows), rows, "an Ali-CCP twin needs at least 3 rows (train, validation, test)");
        long train = Math.Clamp((long)Math.Round(rows * TrainShare), 1, rows - 2);
        long test = (rows - train + 1) / 2;
        return new SplitSizes(train, rows - train - test, test);
    }

    /// <summary>The file a twin of this size and seed is kept in, under <paramref name="folder"/>.</summary>
    public static string PathFor(string folder, long rows, long seed) => Path.Combine(folder, $"aliccp-twin-{rows}-seed{seed}.msrcache");

    /// <summary>
    /// Writes a twin of <paramref name="rows"/> rows to <paramref name="path"/> (atomically: nothing is left there if it
    /// fails), generating chunks of <paramref name="chunkRows"/> rows on up to <paramref name="threads"/> threads.
    /// </summary>
    public static void Write(string path, long rows, long seed, int threads = 1, int chunkRows = DefaultChunkRows)
    {
        if (chunkRows < 1) throw new ArgumentOutOfRangeException(nameof(chunkRows), chunkRows, "must be >= 1");
        var split = Split(rows);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var writer = CacheEntryWriter.Create(path, "aliccp", Schema, rows, split);
        int fs = Schema.SparseFeatures.Count, fd = Schema.DenseFeatures.Count;
        long chunks = (rows + chunkRows - 1) / chunkRows;
        var gate = new object();
        Parallel.For(0L, chunks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, c =>
        {
            long first = c * chunkRows;
            int n = (int)Math.Min(chunkRows, rows - first);
            var chunk = Generate(n, seed, c, fs, fd);
            lock (gate)
            {
                writer.Write<int>(CacheEntryLayout.SparseArray, first * fs, chunk.Sparse);
                writer.Write<float>(CacheEntryLayout.DenseArray, first * fd, chunk.Dense);
                writer.Write<long>(CacheEntryLayout.ScenarioArray, first, chunk.Scenario);
                writer.Write<float>(CacheEntryLayout.LabelArray, first, chunk.Label);
            }
        });
        // The predefined split: consecutive row ranges, as the three files give them.
        WriteRange(writer, CacheEntryLayout.TrainArray, 0, split.Train);
        WriteRange(writer, CacheEntryLayout.ValidationArray, split.Train, split.Validation);
        WriteRange(writer, CacheEntryLayout.TestArray, split.Train + split.Validation, split.Test);
        writer.Commit();
    }

    static void WriteRange(CacheEntryWriter writer, string array, long start, long count)
    {
        var buffer = new long[Math.Max(1, Math.Min(count, DefaultChunkRows))];
        for (long i = 0; i < count; i += buffer.Length)
        {
            int n = (int)Math.Min(buffer.Length, count - i);
            for (int j = 0; j < n; j++) buffer[j] = start + i + j;
            writer.Write<long>(array, i, buffer.AsSpan(0, n));
        }
    }

    sealed record Chunk(int[] Sparse, float[] Dense, long[] Scenario, float[] Label);

    /// <summary>One chunk of rows from its own generator (seeded by the twin's seed and the chunk's index).</summary>
    static Chunk Generate(int n, long seed, long chunkIndex, int fs, int fd)
    {
        var rng = new SplitMix64((ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)chunkIndex * 0xD1B54A32D192ED03UL);
        var sparse = new int[n * fs];
        var dense = new float[n * fd];
        var scenario = new long[n];
        var label = new float[n];
        double total = ScenarioRows.Sum(), cut0 = ScenarioRows[0] / total, cut1 = (ScenarioRows[0] + ScenarioRows[1]) / total;
        for (int i = 0; i < n; i++)
        {
            double u = rng.NextDouble();
            int s = u < cut0 ? 0 : u < cut1 ? 1 : 2;
            scenario[i] = s;
            var ids = sparse.AsSpan(i * fs, fs);
            for (int j = 0; j < fs; j++) ids[j] = Id(ref rng, Vocabularies[j]);
            ids[ScenarioField] = s + 1;
            for (int j = 0; j < fd; j++)
            {
                // Skewed towards 0 like the MinMax-scaled originals, rounded through float16 as the reference stores them.
                double x = rng.NextDouble();
                dense[i * fd + j] = (float)(Half)(x * x * x);
            }
            double logit = Math.Log(ScenarioCtr[s] / (1 - ScenarioCtr[s])) + 0.8 * Effect(ids[ItemField]) + 0.5 * Effect(ids[UserField]) + 0.5 * dense[i * fd];
            label[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-logit)) ? 1 : 0;
        }
        return new Chunk(sparse, dense, scenario, label);
    }

    /// <summary>
    /// An id in [0, vocabulary): 0 (unknown or absent, as the processed data encodes rare ids) for about 3 % of rows;
    /// otherwise uniform over a small field's values, and log-uniform over a large field's (a few ids frequent, most
    /// rare, as user, item and shop ids are).
    /// </summary>
    static int Id(ref SplitMix64 rng, int vocabulary)
    {
        if (rng.NextDouble() < 0.03) return 0;
        double u = rng.NextDouble();
        int id = vocabulary <= 1000 ? 1 + (int)(u * (vocabulary - 1)) : (int)Math.Exp(u * Math.Log(vocabulary));
        return Math.Clamp(id, 1, vocabulary - 1);
    }

    /// <summary>A fixed pseudo-random effect in [-1, 1] per id (a hash), the twin's made-up signal.</summary>
    static double Effect(int id)
    {
        ulong h = (ulong)id * 0x9E3779B97F4A7C15UL;
        h ^= h >> 31;
        return (h & 0xFFFF) / 32767.5 - 1;
    }

    /// <summary>SplitMix64: a tiny, fast generator whose stream is fixed by its seed on every runtime.</summary>
    struct SplitMix64(ulong state)
    {
        ulong _state = state;

        public double NextDouble()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return ((z ^ (z >> 31)) >> 11) * (1.0 / (1UL << 53));
        }
    }
}
