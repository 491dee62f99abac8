using Msr.Core.Features;
using Msr.Core.Tests.Data;
using Xunit;

namespace Msr.Core.Tests.Features;

public class DelimitedReaderTests
{
    static RawTable Read(string path) {
        var t = new RawTable();
        RawTableReader.Append(t, path, DelimitedFormat.Csv, [new("a", ReadAs.Categorical), new("b", ReadAs.Number), new("y", ReadAs.Binary)]);
        return t;
    }

    [Fact]
    public void Reads_quoted_fields_and_interns_values()
    {
        using var dir = new TempDir();
        var t = Read(dir.Write("t.csv", "a,b,y\n\"x, 1\",1.5,1\n\"x, 1\",,0\nz,2e3,1.0\n"));
        var a = t.Categorical("a");
        Assert.Equal(3, t.RowCount);
        Assert.Equal(2, a.Cardinality);
        Assert.Equal("x, 1", a.ValueAt(1));
        Assert.True(double.IsNaN(t.Numeric("b").Values[1]));
        Assert.Equal(2000, t.Numeric("b").Values[2]);
    }

    [Fact]
    public void Missing_file_missing_column_malformed_line_bad_number_bad_label_and_bad_quotes_name_file_line_field()
    {
        using var dir = new TempDir();
        var missing = Assert.Throws<DataFormatException>(() => Read(Path.Combine(dir.Path, "nope.csv")));
        Assert.Contains("nope.csv", missing.Message);
        Assert.Contains("not found", missing.Message);

        var column = Assert.Throws<DataFormatException>(() => Read(dir.Write("c.csv", "a,bb,y\n1,2,1\n")));
        Assert.Equal((1L, "b"), (column.Line, column.Field));

        var malformed = Assert.Throws<DataFormatException>(() => Read(dir.Write("m.csv", "a,b,y\n1,2,1\n1,2\n")));
        Assert.Equal(3, malformed.Line);
        Assert.Contains("malformed line", malformed.Message);
        Assert.Contains("m.csv, line 3", malformed.Message);

        var number = Assert.Throws<DataFormatException>(() => Read(dir.Write("n.csv", "a,b,y\n1,2,1\n1,2,1\n1,two,0\n")));
        Assert.Equal((4L, "b"), (number.Line, number.Field));
        Assert.Contains("'two' is not a number", number.Message);

        var label = Assert.Throws<DataFormatException>(() => Read(dir.Write("l.csv", "a,b,y\n1,2,2\n")));
        Assert.Equal((2L, "y"), (label.Line, label.Field));

        var quotes = Assert.Throws<DataFormatException>(() => Read(dir.Write("q.csv", "a,b,y\n1,2,1\nx\"y,2,1\n")));
        Assert.Equal(3, quotes.Line);
    }

    [Fact]
    public void Line_numbers_count_physical_lines_across_quoted_newlines()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<DataFormatException>(() => Read(dir.Write("nl.csv", "a,b,y\n\"two\nlines\",1,1\nx,1,1\nx,oops,1\n")));
        Assert.Equal(5, e.Line);
        var empty = Assert.Throws<DataFormatException>(() => Read(dir.Write("e.csv", "")));
        Assert.Contains("empty", empty.Message);
    }

    [Fact]
    public void Multi_character_separator_and_unquoted_mode()
    {
        using var dir = new TempDir();
        var path = dir.Write("x.dat", "1::Say \"Hi\" (1990)::Comedy|Drama\n2::B::Action\n");
        using var r = DelimitedReader.Open(path, new DelimitedFormat("::", HasHeader: false, Quoted: false), minFields: 3);
        Assert.True(r.Read());
        Assert.Equal("Say \"Hi\" (1990)", r.Get(1));
        Assert.True(r.Read());
        Assert.Equal(2, r.Line);
        Assert.Equal("Action", r.Get(2));
        Assert.False(r.Read());
    }
}
