using System.IO.Compression;
using Msr.Core.Features;
using Msr.Core.Tests.Data;
using Xunit;

namespace Msr.Core.Tests.Features;

public class RawTableTests
{
    [Fact]
    public void A_released_column_keeps_its_row_count_and_refuses_reads_and_writes()
    {
        var table = new RawTable();
        var numbers = table.AddNumeric("x");
        var words = table.AddCategorical("w");
        for (int i = 0; i < 5; i++)
        {
            numbers.Add(i);
            words.Add($"v{i % 2}");
        }
        numbers.Release();
        words.Release();
        Assert.Equal(5, table.RowCount);
        Assert.Throws<InvalidOperationException>(() => numbers.Values.Length);
        Assert.Throws<InvalidOperationException>(() => words.Codes.Length);
        Assert.Throws<InvalidOperationException>(() => numbers.Add(1));
        Assert.True(words.TryGetCode("v1", out var code)); // distinct values stay for look-ups
        Assert.Equal(1, code);
    }

    [Fact]
    public void Capacity_grows_once_to_the_size_asked_and_values_survive()
    {
        var table = new RawTable();
        var x = table.AddNumeric("x");
        for (int i = 0; i < 3000; i++) x.Add(i);
        table.EnsureCapacity(100_000);
        for (int i = 3000; i < 100_000; i++) x.Add(i);
        Assert.Equal(99_999, x.Values[^1]);
        Assert.Equal(1234, x.Values[1234]);
    }

    [Fact]
    public void The_record_estimate_is_close_for_a_plain_file_and_absent_for_a_compressed_one()
    {
        using var dir = new TempDir();
        var lines = Enumerable.Range(0, 20_000).Select(i => $"{i},{i % 7},{(i % 3 == 0 ? "long text here" : "x")}");
        var path = dir.Write("big.csv", "a,b,c\n" + string.Join("\n", lines) + "\n");
        using (var r = DelimitedReader.Open(path, DelimitedFormat.Csv))
        {
            int read = 0;
            while (read < 4096 && r.Read()) read++;
            var estimate = r.EstimatedRecords(read)!.Value;
            Assert.InRange(estimate, 18_000, 22_000);
        }
        var gz = Path.Combine(dir.Path, "big.csv.gz");
        using (var output = new GZipStream(File.Create(gz), CompressionLevel.Fastest))
            File.OpenRead(path).CopyTo(output);
        using (var r = DelimitedReader.Open(gz, DelimitedFormat.Csv))
        {
            Assert.True(r.Read());
            Assert.Null(r.EstimatedRecords(1));
        }
    }

    [Fact]
    public void Encoded_ids_are_read_as_int32_and_a_bad_id_names_its_line()
    {
        using var dir = new TempDir();
        var table = new RawTable();
        RawTableReader.Append(table, dir.Write("ids.csv", "id\n3\n4.0\n0\n"), DelimitedFormat.Csv, [new("id", ReadAs.Id)]);
        Assert.Equal([3, 4, 0], table.Ids("id").Values.ToArray());
        var (codes, keys, _) = table.Ids("id").AsKeys();
        Assert.Equal([0, 1, 2], codes);
        Assert.Equal(["3", "4", "0"], keys);
        foreach (var (bad, problem) in new[] { ("-1", "non-negative integer id"), ("2.5", "not an integer"), ("", "missing"), ("3000000000", "non-negative integer id") })
        {
            var e = Assert.Throws<DataFormatException>(() => RawTableReader.Append(new RawTable(),
                dir.Write("bad.csv", $"id,x\n1,a\n{bad},b\n"), DelimitedFormat.Csv, [new("id", ReadAs.Id)]));
            Assert.Equal((3L, "id"), (e.Line, e.Field));
            Assert.Contains(problem, e.Message);
        }
    }
}
