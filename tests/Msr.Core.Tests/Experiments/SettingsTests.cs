using Xunit;

namespace Msr.Core.Tests.Experiments;

public sealed class SettingsTests
{
    static Settings Of(params (string, string)[] kv) => new(kv.Select(x => KeyValuePair.Create(x.Item1, x.Item2)));

    [Fact]
    public void Parses_typed_values_and_falls_back_to_defaults()
    {
        var s = Of(("epochs", "12"), ("lr", "2.5e-3"), ("restore", "yes"), ("dims", "[256, 64]"), ("name", "abc"), ("big", "12345678901"));
        Assert.Equal(12, s.Int("epochs", 1));
        Assert.Equal(2.5e-3, s.Double("lr", 1));
        Assert.True(s.Bool("restore", false));
        Assert.Equal([256, 64], s.Dims("dims", [1]));
        Assert.Equal("abc", s.String("name", "x"));
        Assert.Equal(12345678901L, s.Long("big", 0));
        Assert.Equal(7, s.Int("missing", 7));
        Assert.Null(s.OptionalString("absent"));
    }

    [Theory]
    [InlineData("128,64")]
    [InlineData("128-64")]
    [InlineData("[128,64]")]
    [InlineData(" [ 128 , 64 ] ")]
    public void Dims_accept_several_spellings(string text)
    {
        Assert.Equal([128, 64], Of(("d", text)).Dims("d", []));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("ON", true)]
    [InlineData("1", true)]
    [InlineData("no", false)]
    [InlineData("False", false)]
    [InlineData("0", false)]
    public void Bools_accept_common_words(string text, bool expected)
    {
        Assert.Equal(expected, Of(("b", text)).Bool("b", !expected));
    }

    [Fact]
    public void Keys_are_case_insensitive_and_dash_equals_underscore()
    {
        var s = Of(("Batch-Size", "64"));
        Assert.Equal(64, s.Int("batch_size", 1));
        s.EnsureAllUsed("test");
    }

    [Theory]
    [InlineData("epochs", "twelve")]
    [InlineData("epochs", "1.5")]
    [InlineData("epochs", "0")]
    [InlineData("lr", "fast")]
    [InlineData("lr", "NaN")]
    [InlineData("lr", "-1")]
    [InlineData("flag", "maybe")]
    [InlineData("dims", "[128,x]")]
    [InlineData("dims", "[128,0]")]
    [InlineData("dims", "[-4]")]
    [InlineData("dims", "[16,-8]")]
    [InlineData("dims", "16--8")]
    [InlineData("epochs", "99999999999")]
    public void Bad_values_name_the_option(string key, string value)
    {
        var s = Of((key, value));
        var e = Assert.Throws<ArgumentException>(() =>
        {
            switch (key)
            {
                case "epochs": s.Int("epochs", 1, min: 1); break;
                case "lr": s.Double("lr", 1e-3, min: 0); break;
                case "flag": s.Bool("flag", false); break;
                default: s.Dims("dims", [1]); break;
            }
        });
        Assert.Contains($"'{key}'", e.Message);
        Assert.Contains(value, e.Message);
    }

    [Fact]
    public void EnsureAllUsed_names_every_unknown_key_and_the_owner()
    {
        var s = Of(("epochs", "2"), ("epoch", "3"), ("lrate", "1"));
        s.Int("epochs", 1);
        var e = Assert.Throws<ArgumentException>(() => s.EnsureAllUsed("training"));
        Assert.Contains("'epoch'", e.Message);
        Assert.Contains("'lrate'", e.Message);
        Assert.Contains("training", e.Message);
        Assert.DoesNotContain("'epochs'", e.Message.Split("known options")[0]);
    }

    [Fact]
    public void Resolved_holds_defaults_and_given_values_in_key_order()
    {
        var s = Of(("lr", "0.01"));
        s.Double("lr", 1e-3);
        s.Int("epochs", 5);
        s.Dims("dims", [128, 64]);
        s.Bool("flag", true);
        Assert.Equal(["dims", "epochs", "flag", "lr"], s.Resolved.Keys);
        Assert.Equal("[128,64]", s.Resolved["dims"]);
        Assert.Equal("5", s.Resolved["epochs"]);
        Assert.Equal("true", s.Resolved["flag"]);
        Assert.Equal("0.01", s.Resolved["lr"]);
    }
}
