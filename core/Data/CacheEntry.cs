using System.Runtime.Intrinsics;
using System.Runtime.InteropServices;
using System.Text;
using static TorchSharp.torch;

namespace Msr.Core.Data;

/// <summary>One array of a cache entry: its name, element type, shape and byte offset in the file.</summary>
public sealed record CacheArray(string Name, ScalarType Type, long[] Shape, long Offset)
{
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);
    public int ElementSize => Type switch
    {
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 => 8,
        _ => throw new ArgumentException($"cache arrays hold int32, float32 or int64, not {Type}"),
    };
    public long Bytes => Count * ElementSize;
}

/// <summary>Row counts of a predefined split, as an entry's header declares them.</summary>
public sealed record SplitSizes(long Train, long Validation, long Test);

/// <summary>
/// The layout of a processed-dataset cache entry (format 4). One file: a header (magic, format version, dataset name,
/// schema, row count, split sizes), then every array at an offset that is a multiple of <see cref="Alignment"/> bytes
/// and fixed by the header alone (sparse ids int32 N×F, dense float32 N×D, scenario int64 N, label float32 N, each
/// sequence feature int64 N×L, then the split's train, validation and test row indices), then a trailer: a checksum of
/// every byte before it and the magic again.
/// </summary>
/// <remarks>
/// Offsets that the header fixes let a writer fill the arrays in any order, chunk by chunk (the Ali-CCP twin writes
/// 85 M rows that never sit in memory together), and let a reader map each array straight from the file
/// (<c>torch.from_file</c> maps a file from its start as one dtype, so an array must start at a multiple of its element
/// size: the alignment gives that). The trailer's length check catches truncation; the checksum catches bytes changed
/// in place, which a mapped read would otherwise turn into silent wrong numbers.
/// </remarks>
public sealed class CacheEntryLayout
{
    public const string Magic = "MSRCACHE";
    public const int FormatVersion = 4; // 2: sparse ids as int32; 3: the schema's user feature; 4: aligned arrays at fixed offsets, checksum
    public const int Alignment = 64;
    static readonly int TrailerLength = sizeof(ulong) + 1 + Magic.Length; // checksum, then the magic as a length-prefixed string

    public string Name { get; }
    public DatasetSchema Schema { get; }
    public long Rows { get; }
    public SplitSizes? Split { get; }
    /// <summary>The arrays in file order.</summary>
    public IReadOnlyList<CacheArray> Arrays { get; }
    /// <summary>Where the trailer starts: the checksum covers every byte before it.</summary>
    public long DataEnd { get; }
    public long FileLength => DataEnd + TrailerLength;
    readonly byte[] _header;

    CacheEntryLayout(string name, DatasetSchema schema, long rows, SplitSizes? split, byte[] header)
    {
        Name = name;
        Schema = schema;
        Rows = rows;
        Split = split;
        _header = header;
        var arrays = new List<CacheArray>();
        long offset = Align(header.Length);
        void Add(string array, ScalarType type, params long[] shape)
        {
            var a = new CacheArray(array, type, shape, offset);
            arrays.Add(a);
            offset = Align(offset + a.Bytes);
        }
        Add(SparseArray, ScalarType.Int32, rows, schema.SparseFeatures.Count);
        Add(DenseArray, ScalarType.Float32, rows, schema.DenseFeatures.Count);
        Add(ScenarioArray, ScalarType.Int64, rows);
        Add(LabelArray, ScalarType.Float32, rows);
        foreach (var f in schema.SequenceFeatures) Add(SequenceArray(f.Name), ScalarType.Int64, rows, f.SequenceLength);
        if (split is not null)
        {
            Add(TrainArray, ScalarType.Int64, split.Train);
            Add(ValidationArray, ScalarType.Int64, split.Validation);
            Add(TestArray, ScalarType.Int64, split.Test);
        }
        Arrays = arrays;
        DataEnd = offset;
    }

    public const string SparseArray = "sparse", DenseArray = "dense", ScenarioArray = "scenario", LabelArray = "label",
        TrainArray = "split:train", ValidationArray = "split:validation", TestArray = "split:test";
    public static string SequenceArray(string feature) => "sequence:" + feature;

    public CacheArray this[string name] => Arrays.FirstOrDefault(a => a.Name == name)
        ?? throw new KeyNotFoundException($"cache entry has no array '{name}'; arrays: {string.Join(", ", Arrays.Select(a => a.Name))}");

    static long Align(long offset) => (offset + Alignment - 1) / Alignment * Alignment;

    /// <summary>The layout of an entry for a dataset of this shape.</summary>
    public static CacheEntryLayout For(string name, DatasetSchema schema, long rows, SplitSizes? split)
    {
        if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), rows, "row count must be >= 0");
        if (split is { } s && (s.Train < 0 || s.Validation < 0 || s.Test < 0))
            throw new ArgumentException($"split sizes must be >= 0, got {s}", nameof(split));
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(FormatVersion);
            w.Write(name);
            w.Write(schema.Features.Count);
            foreach (var f in schema.Features)
            {
                w.Write(f.Name);
                w.Write((int)f.Kind);
                w.Write(f.Vocabulary);
                w.Write(f.EmbeddingDim);
                w.Write(f.SequenceLength);
                w.Write(f.PaddingId);
                w.Write(f.SharesTableWith ?? "");
            }
            w.Write(schema.ScenarioNames.Count);
            foreach (var sc in schema.ScenarioNames) w.Write(sc);
            w.Write(schema.Label);
            w.Write(schema.ScenarioColumn);
            w.Write(schema.UserFeature ?? "");
            w.Write(rows);
            w.Write(split is not null);
            if (split is not null)
            {
                w.Write(split.Train);
                w.Write(split.Validation);
                w.Write(split.Test);
            }
        }
        return new CacheEntryLayout(name, schema, rows, split, buffer.ToArray());
    }

    /// <summary>
    /// Reads and checks an entry's header: magic, format version, a consistent schema, and a file exactly as long as the
    /// header says. Throws <see cref="InvalidDataException"/> (or an I/O exception) otherwise; the checksum is
    /// <see cref="Verify"/>'s.
    /// </summary>
    public static CacheEntryLayout Read(Stream file)
    {
        file.Position = 0;
        using var r = new BinaryReader(file, Encoding.UTF8, leaveOpen: true);
        if (r.ReadString() != Magic) throw new InvalidDataException("not a cache entry");
        if (r.ReadInt32() is var version && version != FormatVersion)
            throw new InvalidDataException($"cache format {version}, this build reads {FormatVersion}");
        var name = r.ReadString();
        var features = new List<FeatureSpec>();
        int nf = r.ReadInt32();
        if (nf < 0 || nf > 1 << 16) throw new InvalidDataException($"bad feature count {nf}");
        for (int i = 0; i < nf; i++)
        {
            var fname = r.ReadString();
            var kind = (FeatureKind)r.ReadInt32();
            if (!Enum.IsDefined(kind)) throw new InvalidDataException($"feature '{fname}': unknown kind {(int)kind}");
            int vocab = r.ReadInt32(), dim = r.ReadInt32(), len = r.ReadInt32();
            long pad = r.ReadInt64();
            var shares = r.ReadString();
            features.Add(new FeatureSpec(fname, kind, vocab, dim, len, pad, shares.Length == 0 ? null : shares));
        }
        int ns = r.ReadInt32();
        if (ns < 0 || ns > 1 << 16) throw new InvalidDataException($"bad scenario count {ns}");
        var scenarios = Enumerable.Range(0, ns).Select(_ => r.ReadString()).ToList();
        string label = r.ReadString(), scenarioColumn = r.ReadString(), user = r.ReadString();
        var schema = new DatasetSchema(features, scenarios, label, scenarioColumn, user.Length == 0 ? null : user);
        long rows = r.ReadInt64();
        SplitSizes? split = r.ReadBoolean() ? new SplitSizes(r.ReadInt64(), r.ReadInt64(), r.ReadInt64()) : null;
        var layout = For(name, schema, rows, split);
        if (file.Position != layout._header.Length) throw new InvalidDataException("header does not re-encode to its own length");
        if (file.Length != layout.FileLength)
            throw new InvalidDataException($"entry is {file.Length} bytes, its header declares {layout.FileLength} (truncated or extended)");
        return layout;
    }

    /// <summary>Checks the trailer (magic and the checksum of every byte before it) of an entry whose header was read.</summary>
    public void Verify(Stream file)
    {
        file.Position = DataEnd;
        using var r = new BinaryReader(file, Encoding.UTF8, leaveOpen: true);
        ulong stored = r.ReadUInt64();
        if (r.ReadString() != Magic) throw new InvalidDataException("trailer missing");
        if (Checksum(file, DataEnd) != stored) throw new InvalidDataException("checksum mismatch: the entry's bytes changed after it was written");
    }

    /// <summary>Writes the header and zero padding up to the first array.</summary>
    internal void WriteHeader(Stream file)
    {
        file.Position = 0;
        file.Write(_header);
    }

    /// <summary>Writes the trailer after the arrays: the checksum of every byte before it, then the magic.</summary>
    internal void WriteTrailer(Stream file)
    {
        ulong sum = Checksum(file, DataEnd);
        file.Position = DataEnd;
        using var w = new BinaryWriter(file, Encoding.UTF8, leaveOpen: true);
        w.Write(sum);
        w.Write(Magic);
    }

    /// <summary>
    /// A Fletcher-style checksum of the first <paramref name="length"/> bytes (a multiple of the alignment): running
    /// sums a += word, b += a over 64-bit words in vector lanes. Any change confined to one word changes a; b makes
    /// it depend on where the words lie. Not cryptographic: it guards against damage, not tampering, and runs at the
    /// speed of reading the file.
    /// </summary>
    public static ulong Checksum(Stream file, long length)
    {
        if (length % Alignment != 0) throw new ArgumentException($"checksummed length {length} is not a multiple of {Alignment}");
        file.Position = 0;
        var buffer = new byte[1 << 20];
        // Vector256 (not Vector<T>, whose width depends on the machine): the same file has the same checksum everywhere.
        var a = Vector256<ulong>.Zero;
        var b = Vector256<ulong>.Zero;
        for (long done = 0; done < length;)
        {
            int n = (int)Math.Min(buffer.Length, length - done);
            file.ReadExactly(buffer, 0, n);
            foreach (var v in MemoryMarshal.Cast<byte, Vector256<ulong>>(buffer.AsSpan(0, n)))
            {
                a += v;
                b += a;
            }
            done += n;
        }
        ulong h = (ulong)length;
        for (int i = 0; i < Vector256<ulong>.Count; i++)
            h = (h ^ a.GetElement(i)) * 0x100000001B3UL ^ b.GetElement(i) * 0x9E3779B97F4A7C15UL;
        return h;
    }
}

/// <summary>
/// Writes a cache entry array by array, chunk by chunk, in any order (offsets are fixed by the header), to a temporary
/// file beside <c>path</c> that <see cref="Commit"/> checks (every array fully written), seals with the trailer and
/// renames into place: a failed or abandoned write leaves no entry. Memory stays bounded by the caller's chunks.
/// </summary>
public sealed class CacheEntryWriter : IDisposable
{
    public CacheEntryLayout Layout { get; }
    readonly string _path, _temp;
    readonly FileStream _file;
    readonly Dictionary<string, long> _written = [];
    bool _committed;

    CacheEntryWriter(CacheEntryLayout layout, string path)
    {
        Layout = layout;
        _path = path;
        _temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        _file = new FileStream(_temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        try
        {
            _file.SetLength(layout.DataEnd);
            layout.WriteHeader(_file);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public static CacheEntryWriter Create(string path, string name, DatasetSchema schema, long rows, SplitSizes? split) =>
        new(CacheEntryLayout.For(name, schema, rows, split), path);

    /// <summary>Writes <paramref name="values"/> into array <paramref name="array"/> from element <paramref name="first"/> (flat, row-major).</summary>
    public void Write<T>(string array, long first, ReadOnlySpan<T> values) where T : unmanaged
    {
        var a = Layout[array];
        if (Marshal.SizeOf<T>() != a.ElementSize || (typeof(T) == typeof(float)) != (a.Type == ScalarType.Float32))
            throw new ArgumentException($"array '{array}' holds {a.Type}, not {typeof(T).Name}");
        if (first < 0 || first + values.Length > a.Count)
            throw new ArgumentOutOfRangeException(nameof(first), $"elements [{first}, {first + values.Length}) outside array '{array}' of {a.Count}");
        _file.Position = a.Offset + first * a.ElementSize;
        _file.Write(MemoryMarshal.AsBytes(values));
        _written[array] = _written.GetValueOrDefault(array) + values.Length;
    }

    /// <summary>Writes a CPU tensor's values as the whole of <paramref name="array"/>, a bounded chunk at a time.</summary>
    public void WriteTensor<T>(string array, Tensor values) where T : unmanaged
    {
        const long chunk = 1 << 20;
        using var scope = NewDisposeScope();
        var flat = values.cpu().contiguous().reshape(-1);
        for (long i = 0; i < flat.shape[0]; i += chunk)
        {
            using var part = flat.narrow(0, i, Math.Min(chunk, flat.shape[0] - i));
            Write<T>(array, i, MemoryMarshal.Cast<byte, T>(part.bytes));
        }
    }

    /// <summary>Checks that every array was written in full, writes the trailer and renames the entry into place.</summary>
    public void Commit()
    {
        foreach (var a in Layout.Arrays)
            if (_written.GetValueOrDefault(a.Name) != a.Count)
                throw new InvalidOperationException($"cache entry '{_path}': array '{a.Name}' got {_written.GetValueOrDefault(a.Name)} of {a.Count} values");
        _file.Flush();
        Layout.WriteTrailer(_file);
        _file.Dispose();
        File.Move(_temp, _path, overwrite: true);
        _committed = true;
    }

    public void Dispose()
    {
        _file.Dispose();
        if (!_committed && File.Exists(_temp)) File.Delete(_temp);
    }
}
