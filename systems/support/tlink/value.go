package tlink

import (
	"fmt"
	"strconv"
	"strings"
)

// TLA+ value strings as PGo prints them.

// Str is a TLA+ string.
func Str(s string) string { return strconv.Quote(s) }

// Int is a TLA+ integer.
func Int(n int) string { return strconv.Itoa(n) }

// Bool is TRUE or FALSE.
func Bool(b bool) string {
	if b {
		return "TRUE"
	}
	return "FALSE"
}

// Field is one field of a record, in the order given.
type Field struct{ K, V string }

// Record is a TLA+ record (a function from strings), printed as ("k") :> (v) @@ ... in field order.
func Record(fields ...Field) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = fmt.Sprintf("(%s) :> (%s)", Str(f.K), f.V)
	}
	return "(" + strings.Join(parts, " @@ ") + ")"
}

// Tuple is a TLA+ sequence <<a, b>>.
func Tuple(elems ...string) string { return "<<" + strings.Join(elems, ", ") + ">>" }

// Set is a TLA+ set {a, b}.
func Set(elems ...string) string { return "{" + strings.Join(elems, ", ") + "}" }

// IntFunc is a function over integers, ((1) :> (v1) @@ (2) :> (v2)), keys in the order given.
func IntFunc(keys []int, val func(int) string) string {
	if len(keys) == 0 {
		return "[x \\in {} |-> x]"
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("(%d) :> (%s)", k, val(k))
	}
	return "(" + strings.Join(parts, " @@ ") + ")"
}
