using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Emit;
using System.Security.Cryptography;
using System.Text;
using Msr.Core.Models;
using Msr.Core.Training;

namespace Msr.Core.Experiments;

/// <summary>
/// The version of the code that produces a model's numbers, as a short hash of its compiled IL: the
/// model's own types (nested ones included), every type of <c>Msr.Core.Models</c> that is not another
/// model (layers, options, the registry, shared helpers), and the trainer's namespace.
/// </summary>
/// <remarks>
/// Why the IL and not an explicit per-model version number: a number is only as good as the discipline of
/// bumping it, and a forgotten bump silently mixes old and new numbers in a table; the IL changes whenever
/// the behaviour can. Why not the assembly's build id (as the dataset cache uses): any edit anywhere in
/// Msr.Core, a new model or a report fix, would then make every finished run stale.
/// The hash is deterministic across builds of the same source: metadata tokens inside method bodies, which
/// shift when unrelated members are added to the assembly, are replaced by the names they resolve to, and
/// types and members are visited in name order. Comments, documentation and other models do not change it;
/// a change of the compiler can (a rebuild with a new SDK may then retrain, which is the safe side).
/// </remarks>
public static class CodeVersion
{
    static readonly ConcurrentDictionary<string, string> Cache = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The code version of a registered model (canonical or any-case name), 12 hex digits.</summary>
    public static string OfModel(string model)
    {
        var entry = ModelRegistry.Get(model);
        return Cache.GetOrAdd(entry.Name, _ => Compute(entry));
    }

    static string Compute(ModelEntry entry)
    {
        var assembly = typeof(ScenarioModel).Assembly;
        // The model's classes are the ones its registry delegate instantiates (nothing is built to find them).
        var modelTypes = ModelTypesOf(entry);
        var shared = assembly.GetTypes().Where(t =>
            (InNamespace(t, "Msr.Core.Models") && !IsModel(t)) || InNamespace(t, typeof(Trainer).Namespace!));
        var types = modelTypes.Concat(shared).Distinct().OrderBy(t => t.FullName, StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (var type in types) Describe(type, text);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..12];
    }

    /// <summary>The model classes an entry's constructor delegate creates (found in the delegate's IL), with their nested types.</summary>
    static IEnumerable<Type> ModelTypesOf(ModelEntry entry)
    {
        var method = entry.Create.Method;
        var created = new List<Type>();
        foreach (var (op, operand) in Instructions(method))
            if (op == OpCodes.Newobj && operand is ConstructorInfo ctor && IsModel(ctor.DeclaringType!)) created.Add(ctor.DeclaringType!);
        if (created.Count == 0) throw new InvalidOperationException($"model '{entry.Name}': its constructor delegate creates no ScenarioModel");
        return created.SelectMany(t => t.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic).Prepend(t));
    }

    static bool IsModel(Type t) => t.IsSubclassOf(typeof(ScenarioModel)) || t.DeclaringType is { } outer && IsModel(outer);

    static bool InNamespace(Type t, string ns) => t.Namespace is { } n && (n == ns || n.StartsWith(ns + ".", StringComparison.Ordinal));

    const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>A type as text: name, base, fields (the saved weight names are field names) and every method body.</summary>
    static void Describe(Type type, StringBuilder text)
    {
        text.Append("type ").Append(type.FullName).Append(" : ").Append(type.BaseType?.FullName).Append('\n');
        foreach (var f in type.GetFields(All).OrderBy(f => f.Name, StringComparer.Ordinal))
            text.Append(" field ").Append(f.FieldType.FullName ?? f.FieldType.Name).Append(' ').Append(f.Name).Append('\n');
        var methods = type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All))
            .Select(m => (Signature: m.ToString() ?? m.Name, Method: m)).OrderBy(m => m.Signature, StringComparer.Ordinal);
        foreach (var (signature, method) in methods)
        {
            text.Append(" method ").Append(signature).Append('\n');
            foreach (var (op, operand) in Instructions(method))
                text.Append("  ").Append(op.Name).Append(' ').Append(OperandText(operand)).Append('\n');
        }
    }

    static string OperandText(object? operand) => operand switch
    {
        null => "",
        MethodBase m => $"{m.DeclaringType?.FullName}::{m}",
        FieldInfo f => $"{f.DeclaringType?.FullName}::{f.Name}",
        Type t => t.FullName ?? t.Name,
        MemberInfo m => $"{m.DeclaringType?.FullName}::{m.Name}",
        string s => "\"" + s + "\"",
        IFormattable x => x.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => operand.ToString() ?? "",
    };

    static readonly Dictionary<short, OpCode> Codes = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>The instructions of a method body with tokens resolved to members, types and strings (raw bytes where resolution fails).</summary>
    static IEnumerable<(OpCode Op, object? Operand)> Instructions(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var module = method.Module;
        var typeArgs = method.DeclaringType is { IsGenericType: true } dt ? dt.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int at = 0;
        while (at < il.Length)
        {
            short value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            var op = Codes[value];
            object? operand;
            switch (op.OperandType)
            {
                case OperandType.InlineNone: operand = null; break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    operand = il[at]; at += 1; break;
                case OperandType.InlineVar: operand = BitConverter.ToInt16(il, at); at += 2; break;
                case OperandType.InlineI8: operand = BitConverter.ToInt64(il, at); at += 8; break;
                case OperandType.InlineR: operand = BitConverter.ToDouble(il, at); at += 8; break;
                case OperandType.ShortInlineR: operand = BitConverter.ToSingle(il, at); at += 4; break;
                case OperandType.InlineSwitch:
                    int n = BitConverter.ToInt32(il, at);
                    operand = string.Join(",", Enumerable.Range(0, n).Select(i => BitConverter.ToInt32(il, at + 4 + 4 * i)));
                    at += 4 + 4 * n;
                    break;
                case OperandType.InlineBrTarget or OperandType.InlineI: operand = BitConverter.ToInt32(il, at); at += 4; break;
                default: // a 4-byte metadata token
                    int token = BitConverter.ToInt32(il, at);
                    at += 4;
                    operand = Resolve(module, op.OperandType, token, typeArgs, methodArgs);
                    break;
            }
            yield return (op, operand);
        }
    }

    static object Resolve(Module module, OperandType kind, int token, Type[]? typeArgs, Type[]? methodArgs)
    {
        try
        {
            return kind switch
            {
                OperandType.InlineString => module.ResolveString(token),
                OperandType.InlineSig => Convert.ToHexString(module.ResolveSignature(token)),
                OperandType.InlineType => module.ResolveType(token, typeArgs, methodArgs),
                _ => module.ResolveMember(token, typeArgs, methodArgs) ?? (object)$"token {token:x8}",
            };
        }
        catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException or MissingMemberException)
        {
            // Unresolvable references (rare: open generics in odd places) keep the token: still deterministic per build.
            return $"token {token:x8}";
        }
    }
}
