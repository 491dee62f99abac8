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
    public void Line_numbers_count_skipped_blank_lines_and_crlf()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<DataFormatException>(() => Read(dir.Write("b.csv", "a,b,y\r\nx,1,1\r\n\r\n\r\nx,oops,1\r\n")));
        Assert.Equal((5L, "b"), (e.Line, e.Field));
        var multi = Assert.Throws<DataFormatException>(() => Read(dir.Write("bm.csv", "a,b,y\n\n\"two\nlines\",1,1\n\nx,oops,1\n")));
        Assert.Equal(6, multi.Line);
    }

    [Fact]
    public void An_unclosed_quote_is_reported_on_its_own_line_with_the_reason()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<DataFormatException>(() => Read(dir.Write("u.csv", "a,b,y\nx,1,1\n\"x,1,1\ny,2,0\n")));
        Assert.Equal(3, e.Line);
        Assert.Contains("never closed", e.Message);
        var last = Assert.Throws<DataFormatException>(() => Read(dir.Write("u2.csv", "a,b,y\nx,1,1\n\"x,1,1\n")));
        Assert.Equal(3, last.Line);
    }

    [Fact]
    public void Missing_value_words_are_missing_and_infinities_are_errors()
    {
        using var dir = new TempDir();
        var t = Read(dir.Write("na.csv", "a,b,y\nx,NaN,1\nx,na,0\nx,N/A,1\nx,null,0\nx,None,1\nx,<NA>,0\nx,3,1\n"));
        Assert.Equal(6, Enumerable.Range(0, 6).Count(i => double.IsNaN(t.Numeric("b").Values[i])));
        Assert.Equal(3, t.Numeric("b").Values[6]);
        foreach (var inf in new[] { "Infinity", "-Infinity", "1e999" })
        {
            var e = Assert.Throws<DataFormatException>(() => Read(dir.Write("inf.csv", $"a,b,y\nx,1,1\nx,{inf},0\n")));
            Assert.Equal((3L, "b"), (e.Line, e.Field));
            Assert.Contains("not a finite number", e.Message);
        }
    }

    [Fact]
    public void A_header_without_rows_is_an_error_and_a_required_number_must_be_present()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<DataFormatException>(() => Read(dir.Write("h.csv", "a,b,y\n")));
        Assert.Equal(2, e.Line);
        Assert.Contains("no data rows", e.Message);
        var required = Assert.Throws<DataFormatException>(() => RawTableReader.Append(new RawTable(),
            dir.Write("r.csv", "rating\n4\n\"\"\n"), DelimitedFormat.Csv, [new("rating", ReadAs.RequiredNumber)]));
        Assert.Equal((3L, "rating"), (required.Line, required.Field));
        Assert.Contains("missing", required.Message);
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
