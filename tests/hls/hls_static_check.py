#!/usr/bin/env python3
"""Static checks of the HLS kernels and testbenches, standing in for Vitis HLS
where it is not installed (issue #31). Python 3 standard library only.

Usage: hls_static_check.py [--tops a,b,...] FILE...

Prints one `file:line: message` per finding and exits 1, or a one-line summary
and exits 0. Comments and string literals never count. The rules:

1. An array indexed inside an unrolled loop needs a matching partition. A
   `for` loop is unrolled when `#pragma HLS UNROLL` (not `off=true`) stands in
   its body's own block. Its loop variable, and every local declared in the
   body whose initializer mentions the loop variable or another such local
   (`const unsigned i = g * lanes + l;`), are the lane variables. Each access
   `name[e1][e2]...` in the body whose index e_d mentions a lane variable needs
   `#pragma HLS ARRAY_PARTITION variable = name ... dim = d` (dim defaults to
   1, dim = 0 means every dimension; type `complete`, or `cyclic`/`block` with
   a factor) in the innermost enclosing function body. A struct member is
   named by its dotted path (`state.h`). Brackets of declarations are not
   accesses, nor are members of template parameters (`CONFIG_T::...`).
2. Tops are called directly: every use of a name given with --tops is a
   declaration, a definition or a call `name(`; anything else (`&name`, an
   argument, an assignment, a template argument, a macro) is a finding. In
   testbench files (a `testbench` or `tb` folder, or `_tb`/`tb_` in the file
   name), calling a parameter that is a function pointer, a std::function or
   of a template type parameter (`template <class Top> ... Top top` then
   `top(...)`) is a finding too: the testbench must call the top itself.
3. Kernel files (under a `kernels` or `firmware` folder, not `standins`) use
   no heap (new, delete, malloc, calloc, realloc, free), no exceptions
   (throw, try, catch), no std containers, strings, smart pointers or
   std::function, no printing (printf family, std::cout/cerr) and include no
   header that brings those in. std::array is allowed: fixed size, no heap.

The parser is a tokenizer with bracket matching, not a C++ parser: it knows
statements, declarations, function bodies and loops well enough for
hand-written HLS code, and errs towards reporting.
"""

import argparse
import os
import re
import sys

# ---------------------------------------------------------------------------
# Comments and literals out, line numbers kept.


def strip_comments_and_literals(text):
    """Returns `text` with comments blanked and the contents of string and
    character literals blanked (quotes kept), newlines kept in place."""
    out = []
    i, n = 0, len(text)

    def blank(s):
        return "".join(c if c == "\n" else " " for c in s)

    while i < n:
        c = text[i]
        if c == "/" and i + 1 < n and text[i + 1] == "/":
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(blank(text[i:j]))
            i = j
        elif c == "/" and i + 1 < n and text[i + 1] == "*":
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(blank(text[i:j]))
            i = j
        elif c == '"' or (c == "'" and not _is_digit_separator(text, i)):
            raw = c == '"' and i > 0 and text[i - 1] == "R" and not _ident_char(text, i - 2)
            if raw:
                m = re.compile(r'"([^ ()\\\t\n]{0,16})\(').match(text, i)
                end = text.find(")" + m.group(1) + '"', i) if m else -1
                j = n if end < 0 else end + len(m.group(1)) + 2
            else:
                j = i + 1
                while j < n and text[j] != c and text[j] != "\n":
                    j += 2 if text[j] == "\\" else 1
                j = min(j + 1, n)
            out.append(c + blank(text[i + 1:j - 1]) + (c if j - 1 > i else ""))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _ident_char(text, i):
    return i >= 0 and (text[i].isalnum() or text[i] == "_")


def _is_digit_separator(text, i):
    # 1'000'000 (C++14): the quote sits inside a number token.
    j = i - 1
    while j >= 0 and (text[j].isalnum() or text[j] in "_'."):
        j -= 1
    return j + 1 < i and text[j + 1].isdigit()


# ---------------------------------------------------------------------------
# Tokens.


class Tok:
    __slots__ = ("kind", "text", "line")

    def __init__(self, kind, text, line):
        self.kind, self.text, self.line = kind, text, line

    def __repr__(self):
        return "%s:%r@%d" % (self.kind, self.text, self.line)


_PUNCT = sorted(
    ["::", "->*", "->", "...", "++", "--", "<<=", "<<", "<=", ">=", "==", "!=", "&&", "||", "+=", "-=", "*=",
     "/=", "%=", "&=", "|=", "^=", ".*"],
    key=len, reverse=True)  # '>' stays single, so `A<B<C>>` closes two templates.
_TOKEN_RE = re.compile(
    r"(?P<ws>[ \t\r\f\v]+)|(?P<nl>\n)|(?P<id>[A-Za-z_]\w*)|(?P<num>\.?\d(?:[eEpP][+-]|[\w.'])*)"
    r"|(?P<str>\"[^\"\n]*\"?|'[^'\n]*'?)|(?P<op>" + "|".join(re.escape(p) for p in _PUNCT) + r"|.)")


def tokenize(text):
    """Tokens of comment- and literal-free text. A preprocessor directive
    (with its continuation lines) is one token of kind 'pp'."""
    toks = []
    line = 1
    pos = 0
    at_line_start = True
    n = len(text)
    while pos < n:
        if at_line_start:
            m = re.compile(r"[ \t]*#").match(text, pos)
            if m:
                end = pos
                while True:
                    nl = text.find("\n", end)
                    if nl < 0:
                        end = n
                        break
                    if text[:nl].rstrip(" \t\r").endswith("\\"):
                        end = nl + 1
                        continue
                    end = nl
                    break
                body = text[pos:end]
                toks.append(Tok("pp", " ".join(body.replace("\\\n", " ").split()), line))
                line += body.count("\n")
                pos = end
                continue
        m = _TOKEN_RE.match(text, pos)
        kind = m.lastgroup
        pos = m.end()
        if kind == "nl":
            line += 1
            at_line_start = True
            continue
        if kind == "ws":
            continue
        at_line_start = False
        toks.append(Tok(kind, m.group(kind), line))
    return toks


_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = {")": "(", "]": "[", "}": "{"}


def match_brackets(toks):
    """Index of the partner of every bracket token; unbalanced ones map to
    the end of the file (a broken file still gets checked)."""
    match = {}
    stack = []
    for i, t in enumerate(toks):
        if t.kind != "op":
            continue
        if t.text in _OPEN:
            stack.append(i)
        elif t.text in _CLOSE:
            while stack and toks[stack[-1]].text != _CLOSE[t.text]:
                match[stack.pop()] = len(toks) - 1
            if stack:
                j = stack.pop()
                match[j], match[i] = i, j
    for j in stack:
        match[j] = len(toks) - 1
    return match


# ---------------------------------------------------------------------------
# A file: tokens, brackets, function bodies, declarations.

_CONTROL = {"if", "for", "while", "switch", "catch"}
_NOT_A_DECL_START = {
    "return", "if", "else", "for", "while", "do", "switch", "case", "default", "break", "continue", "goto",
    "throw", "delete", "new", "using", "sizeof", "namespace", "template", "operator", "public", "private",
    "protected", "try", "catch", "static_assert", "friend"}
_TYPE_WORDS = {
    "const", "constexpr", "static", "volatile", "inline", "typename", "struct", "class", "enum", "unsigned",
    "signed", "long", "short", "int", "char", "bool", "float", "double", "void", "auto", "register", "extern",
    "mutable", "typedef", "size_t"}
_AFTER_DECLARATOR = {"[", "=", ";", ",", "(", "{", ")", ":"}
_FUNC_QUALIFIERS = {"const", "noexcept", "override", "final", "volatile", "&", "&&"}


class Source:
    def __init__(self, path, text):
        self.path = path
        self.toks = tokenize(strip_comments_and_literals(text))
        self.match = match_brackets(self.toks)
        self._find_functions()
        self._find_declarations()

    def tok(self, i):
        return self.toks[i] if 0 <= i < len(self.toks) else Tok("eof", "", 0)

    def is_op(self, i, text):
        t = self.tok(i)
        return t.kind == "op" and t.text == text

    # -- functions ----------------------------------------------------------

    def _find_functions(self):
        """Function bodies: a '{' after ')' (and qualifiers) whose '(' follows
        a name or a template's '>' or a lambda's ']', not a control keyword."""
        self.functions = {}  # body '{' index -> (name, param '(' index)
        for i, t in enumerate(self.toks):
            if not self.is_op(i, "{"):
                continue
            j = i - 1
            while self.tok(j).text in _FUNC_QUALIFIERS:
                j -= 1
            if not self.is_op(j, ")"):
                continue
            p = self.match.get(j)
            if p is None:
                continue
            before = self.tok(p - 1)
            if before.kind == "id" and before.text not in _CONTROL:
                self.functions[i] = (before.text, p)
            elif before.text in (">", "]"):
                name = "<lambda>" if before.text == "]" else self._template_call_name(p - 1)
                self.functions[i] = (name, p)
        # The innermost function body around each token, and the header
        # parens (parameter lists): those of bodies and, outside any body,
        # of declarations `name(...);`.
        self.func_of = [None] * len(self.toks)
        self.header_parens = set(p for (_, p) in self.functions.values())
        stack = []
        for i, t in enumerate(self.toks):
            if self.is_op(i, "{"):
                stack.append(i)
            elif self.is_op(i, "}") and stack:
                stack.pop()
            inner = next((b for b in reversed(stack) if b in self.functions), None)
            self.func_of[i] = inner
            if inner is None and self.is_op(i, "(") and (self.tok(i - 1).kind == "id" or self.is_op(i - 1, ">")):
                close = self.match.get(i, i)
                k = close + 1
                while self.tok(k).text in _FUNC_QUALIFIERS:
                    k += 1
                if self.is_op(k, ";"):
                    self.header_parens.add(i)

    def _template_call_name(self, gt):
        depth = 0
        for k in range(gt, -1, -1):
            if self.is_op(k, ">"):
                depth += 1
            elif self.is_op(k, "<"):
                depth -= 1
                if depth == 0:
                    return self.tok(k - 1).text
        return "?"

    def function_name(self, body):
        return self.functions[body][0] if body is not None else "<file scope>"

    def enclosing_paren(self, i):
        """The innermost '(' enclosing token i, within its statement, or None."""
        depth = 0
        for k in range(i - 1, -1, -1):
            t = self.tok(k)
            if t.kind != "op":
                continue
            if t.text in (")", "]"):
                depth += 1
            elif t.text in ("(", "["):
                if depth == 0:
                    return k if t.text == "(" else None
                depth -= 1
            elif t.text in (";", "{", "}") and depth == 0:
                return None
        return None

    # -- statements and declarations --------------------------------------

    def is_statement_start(self, i):
        prev = self.tok(i - 1)
        if i == 0 or prev.kind == "pp":
            return True
        if prev.kind == "id":
            return prev.text in ("else", "do")
        if prev.kind != "op":
            return False
        if prev.text in (";", "{", "}"):
            return True
        if prev.text == ":":
            # A label `Name:` or `case X:` / `public:`, not `a ? b : c`.
            return self.tok(i - 2).kind == "id" and (
                self.tok(i - 3).kind == "pp" or self.tok(i - 3).text in (";", "{", "}", "case", ")")
                or i - 3 < 0)
        if prev.text == ")":
            p = self.match.get(i - 1)
            return p is not None and self.tok(p - 1).text in _CONTROL
        if prev.text == "(":
            return self.tok(i - 2).text == "for" or (i - 1) in self.header_parens
        if prev.text == ",":
            return self.enclosing_paren(i - 1) in self.header_parens
        return False

    def _skip_template_args(self, lt):
        """Index after the '>' closing the '<' at lt, or None if there is none
        before the end of the statement."""
        depth = 0
        k = lt
        while k < len(self.toks):
            t = self.tok(k)
            if t.kind == "op":
                if t.text == "<":
                    depth += 1
                elif t.text == ">":
                    depth -= 1
                    if depth == 0:
                        return k + 1
                elif t.text in ("(", "["):
                    k = self.match.get(k, k)
                elif t.text in (";", "{", "}", ")", "]") or t.text in ("&&", "||"):
                    return None
            k += 1
        return None

    def parse_declaration(self, i):
        """If a declaration starts at token i, its declarators as
        [(name index, [bracket '[' indices], init start or None)], else None."""
        first = self.tok(i)
        if first.kind == "id" and first.text in _NOT_A_DECL_START:
            return None
        consumed = []  # token indices; a template argument list counts as one '>'
        k = i
        while True:
            t = self.tok(k)
            if t.kind == "id":
                consumed.append(k)
                k += 1
                if self.is_op(k, "<") and t.text not in _TYPE_WORDS:
                    after = self._skip_template_args(k)
                    if after is None:
                        break
                    consumed.append(after - 1)
                    k = after
            elif t.kind == "op" and t.text == "::":
                consumed.append(k)
                k += 1
            elif t.kind == "op" and t.text in ("*", "&", "&&") and consumed:
                consumed.append(k)
                k += 1
            else:
                break
        if len(consumed) < 2:
            return None
        name = consumed[-1]
        before = self.tok(consumed[-2])
        if self.tok(name).kind != "id" or self.tok(name).text in _TYPE_WORDS or before.text == "::":
            return None
        if not (self.tok(k).kind == "op" and self.tok(k).text in _AFTER_DECLARATOR):
            return None
        in_params = self.is_op(i - 1, "(") and (i - 1) in self.header_parens or (
            self.is_op(i - 1, ",") and self.enclosing_paren(i - 1) in self.header_parens)
        declarators = []
        while True:
            brackets = []
            while self.is_op(k, "["):
                brackets.append(k)
                k = self.match.get(k, k) + 1
            init = None
            if self.tok(k).text in ("=", "(", "{"):
                init = k + 1 if self.is_op(k, "=") else k
            declarators.append((name, brackets, init))
            if in_params:
                break
            # On to the next top-level ',' of the statement, then `*name`.
            while k < len(self.toks) and not (self.tok(k).kind == "op" and self.tok(k).text in (",", ";", "}")):
                if self.tok(k).kind == "op" and self.tok(k).text in _OPEN:
                    k = self.match.get(k, k)
                k += 1
            if not self.is_op(k, ","):
                break
            k += 1
            while self.tok(k).text in ("*", "&", "&&"):
                k += 1
            if self.tok(k).kind != "id" or not (self.tok(k + 1).kind == "op" and
                                                self.tok(k + 1).text in _AFTER_DECLARATOR):
                break
            name = k
            k += 1
        return declarators

    def statement_end(self, i):
        """Index of the ';' (or enclosing ')' / '}' / ',' of a parameter list) ending the statement at i."""
        k = i
        while k < len(self.toks):
            t = self.tok(k)
            if t.kind == "op":
                if t.text in ("(", "[", "{"):
                    k = self.match.get(k, k)
                elif t.text in (";", ")", "]", "}"):
                    return k
            k += 1
        return k

    def _find_declarations(self):
        """Every declaration in the file: the '[' of declarators (not
        accesses) and the declared names with their initializer ranges."""
        self.decl_brackets = set()
        self.declarations = []  # (statement start, name index, init start or None, statement end)
        for i in range(len(self.toks)):
            if self.tok(i).kind != "id" and not self.is_op(i, "::"):
                continue
            if not self.is_statement_start(i):
                continue
            decl = self.parse_declaration(i)
            if not decl:
                continue
            end = self.statement_end(i)
            for name, brackets, init in decl:
                self.declarations.append((i, name, init, end))
                for b in brackets:
                    # A declarator's first '[' and any that follow it.
                    k = b
                    while self.is_op(k, "["):
                        self.decl_brackets.add(k)
                        k = self.match.get(k, k) + 1

    # -- templates --------------------------------------------------------

    def template_parameters(self):
        """Names of template type parameters anywhere in the file."""
        names = set()
        for i, t in enumerate(self.toks):
            if t.kind == "id" and t.text == "template" and self.is_op(i + 1, "<"):
                end = self._skip_template_args(i + 1) or i + 2
                for k in range(i + 2, end - 1):
                    if self.tok(k).text in ("class", "typename") and self.tok(k + 1).kind == "id":
                        names.add(self.tok(k + 1).text)
        return names

    def template_clause_before(self, i):
        """Type parameter names of the `template <...>` heading the
        declaration that contains token i (a function's name), if any."""
        k = i - 1
        while k >= 0:
            t = self.tok(k)
            if t.kind == "op" and t.text in (";", "{", "}"):
                return set()
            if t.kind == "op" and t.text == ">":
                # Walk back over the template argument list to its '<'.
                depth = 0
                while k >= 0:
                    if self.is_op(k, ">"):
                        depth += 1
                    elif self.is_op(k, "<"):
                        depth -= 1
                        if depth == 0:
                            break
                    k -= 1
                if self.tok(k - 1).text == "template":
                    names = set()
                    end = self._skip_template_args(k) or k + 1
                    for j in range(k + 1, end - 1):
                        if self.tok(j).text in ("class", "typename") and self.tok(j + 1).kind == "id":
                            names.add(self.tok(j + 1).text)
                    return names
            k -= 1
        return set()


# ---------------------------------------------------------------------------
# Rule 1: unrolled loops and partitions.

_PRAGMA_RE = re.compile(r"^#\s*pragma\s+HLS\s+(\w+)\s*(.*)$", re.IGNORECASE)


def hls_pragma(tok):
    """(directive upper-case, options text) of an `#pragma HLS` token, else None."""
    if tok.kind != "pp":
        return None
    m = _PRAGMA_RE.match(tok.text)
    return (m.group(1).upper(), m.group(2)) if m else None


def is_unroll_pragma(tok):
    p = hls_pragma(tok)
    return p is not None and p[0] == "UNROLL" and not re.search(r"\boff\s*=\s*true\b", p[1], re.IGNORECASE)


class Partition:
    def __init__(self, variable, dim, kind, has_factor, line):
        self.variable, self.dim, self.kind, self.has_factor, self.line = variable, dim, kind, has_factor, line

    def covers(self, dim):
        usable = self.kind == "complete" or (self.kind in ("cyclic", "block") and self.has_factor)
        return usable and self.dim in (0, dim)


def parse_partition(tok):
    p = hls_pragma(tok)
    if p is None or p[0] != "ARRAY_PARTITION":
        return None
    opts = p[1]
    if re.search(r"\boff\s*=\s*true\b", opts, re.IGNORECASE):
        return None
    var = re.search(r"\bvariable\s*=\s*([A-Za-z_][\w]*(?:\s*(?:\.|->)\s*[A-Za-z_]\w*)*)", opts, re.IGNORECASE)
    if not var:
        return None
    variable = re.sub(r"\s*(?:\.|->)\s*", ".", var.group(1))
    dim = re.search(r"\bdim\s*=\s*(\d+)", opts, re.IGNORECASE)
    kind = re.search(r"\btype\s*=\s*(\w+)", opts, re.IGNORECASE) or re.search(
        r"\b(complete|cyclic|block)\b", opts, re.IGNORECASE)
    factor = re.search(r"\bfactor\s*=\s*\S", opts, re.IGNORECASE)
    return Partition(variable, int(dim.group(1)) if dim else 1, kind.group(1).lower() if kind else "complete",
                     factor is not None, tok.line)


def access_name(src, name_idx, template_params):
    """The dotted name of the array whose '[' follows token name_idx
    (`state.h`, `p->h` as `p.h`), or None for a template parameter's member."""
    parts = [src.tok(name_idx).text]
    k = name_idx
    while True:
        prev = src.tok(k - 1)
        if prev.kind == "op" and prev.text in (".", "->"):
            k -= 2
            while src.is_op(k, "]"):  # arr[i].h: skip arr's subscripts
                k = src.match.get(k, k) - 1
            if src.tok(k).kind != "id":
                return ".".join(reversed(parts))
            parts.append(src.tok(k).text)
        elif prev.kind == "op" and prev.text == "::":
            # ns::arr is named arr (as a pragma names it); a member of a
            # template parameter (CONFIG_T::table) is not an array here.
            q = k - 2
            while src.tok(q).kind == "id":
                if src.tok(q).text in template_params or src.tok(q).text.endswith("_T"):
                    return None
                if not src.is_op(q - 1, "::"):
                    break
                q -= 2
            return ".".join(reversed(parts))
        else:
            return ".".join(reversed(parts))


def mentions(src, start, end, names):
    """The first of `names` used as a plain identifier in tokens [start, end)."""
    for k in range(start, end):
        t = src.tok(k)
        if t.kind == "id" and t.text in names and src.tok(k - 1).text not in (".", "->", "::"):
            return t.text
    return None


def loop_variables(src, paren):
    """Variables set in a for loop's init clause `(unsigned l = 0, m = 0; ...`."""
    close = src.match.get(paren, paren)
    k = paren + 1
    names = []
    while k < close and not src.is_op(k, ";"):
        t = src.tok(k)
        if t.kind == "op" and t.text in ("(", "[", "{"):
            k = src.match.get(k, k) + 1
            continue
        if t.kind == "id" and src.tok(k + 1).text in ("=", ":", "{", "(") and t.text not in _TYPE_WORDS:
            if not names or src.is_op(k - 1, ",") or src.tok(k - 1).kind == "id" or src.tok(k - 1).text in (
                    "*", "&", ">"):
                names.append(t.text)
        k += 1
    return names


def check_unrolled_loops(src, findings, stats):
    template_params = src.template_parameters()
    partitions_by_function = {}

    def partitions(body):
        if body not in partitions_by_function:
            close = src.match.get(body, len(src.toks) - 1)
            found = [parse_partition(src.tok(k)) for k in range(body, close) if src.tok(k).kind == "pp"]
            partitions_by_function[body] = [p for p in found if p is not None]
        return partitions_by_function[body]

    for f, t in enumerate(src.toks):
        if not (t.kind == "id" and t.text == "for" and src.is_op(f + 1, "(")):
            continue
        header_close = src.match.get(f + 1, f + 1)
        body = header_close + 1
        if not src.is_op(body, "{"):
            continue
        body_close = src.match.get(body, body)
        k = body + 1
        unrolled = False
        while k < body_close:
            if src.is_op(k, "{"):
                k = src.match.get(k, k) + 1
                continue
            if is_unroll_pragma(src.tok(k)):
                unrolled = True
                break
            k += 1
        if not unrolled:
            continue
        stats["loops"] += 1
        label = src.tok(f - 2).text if src.is_op(f - 1, ":") and src.tok(f - 2).kind == "id" else None
        roots = {v: v for v in loop_variables(src, f + 1)}
        if not roots:
            continue
        # Lane variables: the loop's, and locals of its body initialised from them (in order).
        lane_of = dict(roots)
        for start, name, init, end in src.declarations:
            if init is None or not (body < start < body_close):
                continue
            used = mentions(src, init, end, lane_of)
            if used:
                lane_of[src.tok(name).text] = lane_of[used]
        function = src.func_of[f]
        where = " (loop '%s')" % label if label else ""
        for k in range(body + 1, body_close):
            if not (src.is_op(k, "[") and src.tok(k - 1).kind == "id") or k in src.decl_brackets:
                continue
            if src.tok(k - 1).text in _NOT_A_DECL_START:
                continue
            name = access_name(src, k - 1, template_params)
            if name is None:
                continue
            stats["accesses"] += 1
            dim = 0
            b = k
            while src.is_op(b, "["):
                dim += 1
                close = src.match.get(b, b)
                used = mentions(src, b + 1, close, lane_of)
                if used:
                    stats["lane_accesses"] += 1
                    if function is None or not any(
                            p.variable == name and p.covers(dim) for p in partitions(function)):
                        via = " (through '%s')" % used if used != lane_of[used] else ""
                        findings.append((src.path, src.tok(k).line,
                                         "array '%s' is indexed by unrolled loop variable '%s'%s in dimension %d%s "
                                         "but has no ARRAY_PARTITION variable = %s (complete, or cyclic/block with "
                                         "a factor) dim = %d in function '%s'" %
                                         (name, lane_of[used], via, dim, where, name, dim,
                                          src.function_name(function))))
                b = close + 1


# ---------------------------------------------------------------------------
# Rule 2: tops called directly.


def is_testbench(path):
    parts = os.path.normpath(path).split(os.sep)
    base = parts[-1]
    return any(p in ("testbench", "tb") for p in parts[:-1]) or re.search(r"(^|_)tb(_|\.)", base) is not None


def check_tops(src, tops, findings, stats):
    for i, t in enumerate(src.toks):
        if t.kind == "pp":
            if hls_pragma(t) is None:
                for top in tops:
                    if re.search(r"\b%s\b" % re.escape(top), t.text) and not t.text.startswith("#include"):
                        findings.append((src.path, t.line, "top '%s' is used in a preprocessor directive; "
                                                           "call it directly" % top))
            continue
        if t.kind != "id" or t.text not in tops:
            continue
        stats["top_uses"] += 1
        if src.is_op(i + 1, "(") and not src.is_op(i - 1, "&"):
            continue  # a call, or a declaration or definition
        prev, nxt = src.tok(i - 1).text, src.tok(i + 1).text
        if prev == "&":
            how = "its address is taken (&%s)" % t.text
        elif nxt == ">" or prev == "<":
            how = "it is a template argument"
        elif prev == "=":
            how = "it is assigned (to a function pointer?)"
        elif src.enclosing_paren(i) is not None and nxt in (",", ")"):
            how = "it is passed as an argument"
        else:
            how = "it is used other than in a declaration or a direct call"
        findings.append((src.path, t.line, "top '%s' must be called directly, but %s" % (t.text, how)))

    if not is_testbench(src.path):
        return
    # Calls through callable parameters: function pointers, std::function, template types.
    fn_ptr_types = set()
    for i, t in enumerate(src.toks):  # typedef R (*Name)(...);  using Name = R (*)(...);
        if t.kind == "id" and t.text == "typedef":
            end = src.statement_end(i)
            for k in range(i, end):
                if src.is_op(k, "(") and src.is_op(k + 1, "*") and src.tok(k + 2).kind == "id":
                    fn_ptr_types.add(src.tok(k + 2).text)
        if t.kind == "id" and t.text == "using" and src.tok(i + 1).kind == "id" and src.is_op(i + 2, "="):
            end = src.statement_end(i)
            if any(src.is_op(k, "(") and src.is_op(k + 1, "*") for k in range(i, end)) or mentions(
                    src, i + 3, end, {"function", "decltype"}):
                fn_ptr_types.add(src.tok(i + 1).text)
    for body, (fname, paren) in src.functions.items():
        tparams = src.template_clause_before(paren - 1)
        close = src.match.get(paren, paren)
        callables = {}
        k = paren + 1
        while k < close:
            end = k
            while end < close and not src.is_op(end, ","):
                end = src.match.get(end, end) + 1 if src.tok(end).text in ("(", "[", "{") else end + 1
                if src.is_op(end, "<"):
                    end = src._skip_template_args(end) or end + 1
            words = [src.tok(j) for j in range(k, end)]
            texts = [w.text for w in words]
            name = None
            kind = None
            for j in range(len(texts) - 2):
                if texts[j] == "(" and texts[j + 1] in ("*", "&") and words[j + 2].kind == "id":
                    name, kind = texts[j + 2], "a function pointer"
            if name is None:
                ids = [w.text for w in words if w.kind == "id" and w.text not in ("const", "volatile")]
                if len(ids) >= 2:
                    name = ids[-1]
                    type_ids = ids[:-1]
                    if len(type_ids) == 1 and type_ids[0] in tparams:
                        kind = "of template parameter type '%s'" % type_ids[0]
                    elif len(type_ids) == 1 and type_ids[0] in fn_ptr_types:
                        kind = "a function pointer ('%s')" % type_ids[0]
                    elif "function" in type_ids and "std" in type_ids:
                        kind = "a std::function"
            if name and kind:
                callables[name] = kind
            k = end + 1
        if not callables:
            continue
        for j in range(body + 1, src.match.get(body, body)):
            t = src.tok(j)
            if t.kind == "id" and t.text in callables and src.is_op(j + 1, "(") and src.tok(j - 1).text not in (
                    ".", "->", "::"):
                findings.append((src.path, t.line,
                                 "'%s' (a parameter of '%s', %s) is called: the testbench must call the top "
                                 "directly, not through a callback" % (t.text, fname, callables[t.text])))


# ---------------------------------------------------------------------------
# Rule 3: forbidden constructs in kernels.

_CONTAINERS = {
    "vector", "map", "multimap", "unordered_map", "unordered_multimap", "set", "multiset", "unordered_set",
    "unordered_multiset", "list", "forward_list", "deque", "queue", "priority_queue", "stack", "string",
    "wstring", "basic_string", "function", "shared_ptr", "unique_ptr", "make_shared", "make_unique",
    "allocator", "ostringstream", "stringstream", "istringstream", "cout", "cerr", "clog", "exception",
    "runtime_error", "logic_error"}
_PRINTING = {"printf", "fprintf", "sprintf", "snprintf", "vprintf", "puts", "putchar", "fputs", "perror"}
_HEAP = {"malloc", "calloc", "realloc", "free", "aligned_alloc", "posix_memalign"}
_FORBIDDEN_HEADERS = {
    "vector", "map", "set", "unordered_map", "unordered_set", "list", "forward_list", "deque", "queue", "stack",
    "string", "iostream", "sstream", "fstream", "memory", "functional", "exception", "stdexcept", "new",
    "malloc.h"}


def is_kernel(path):
    parts = os.path.normpath(path).split(os.sep)[:-1]
    return any(p in ("kernels", "firmware") for p in parts) and "standins" not in parts and not is_testbench(path)


def check_kernel_constructs(src, findings):
    for i, t in enumerate(src.toks):
        prev = src.tok(i - 1).text
        what = None
        if t.kind == "pp":
            m = re.match(r"#\s*include\s*<([^>]+)>", t.text)
            if m and m.group(1).strip() in _FORBIDDEN_HEADERS:
                what = "includes <%s> (heap, exceptions, containers or streams)" % m.group(1).strip()
        elif t.kind != "id" or prev in (".", "->"):
            continue
        elif t.text == "new" or (t.text == "delete" and prev != "="):
            what = "'%s': no heap in a kernel" % t.text
        elif t.text in _HEAP and src.is_op(i + 1, "("):
            what = "'%s': no heap in a kernel" % t.text
        elif t.text in ("throw", "try", "catch"):
            what = "'%s': no exceptions in a kernel" % t.text
        elif t.text == "std" and src.is_op(i + 1, "::") and src.tok(i + 2).text in _CONTAINERS:
            what = "'std::%s': no std containers, strings, streams or heap in a kernel" % src.tok(i + 2).text
        elif t.text in _PRINTING and src.is_op(i + 1, "("):
            what = "'%s': no printing in a kernel" % t.text
        if what:
            findings.append((src.path, t.line, what))


# ---------------------------------------------------------------------------


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tops", default="", help="comma-separated top function names")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args(argv)
    tops = set(filter(None, (s.strip() for s in args.tops.split(","))))
    findings = []
    stats = {"loops": 0, "accesses": 0, "lane_accesses": 0, "top_uses": 0}
    for path in args.files:
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
        except OSError as e:
            findings.append((path, 0, "cannot read: %s" % e.strerror))
            continue
        src = Source(path, text)
        check_unrolled_loops(src, findings, stats)
        if tops:
            check_tops(src, tops, findings, stats)
        if is_kernel(path):
            check_kernel_constructs(src, findings)
    seen = set()
    for path, line, message in findings:
        if (path, line, message) in seen:
            continue
        seen.add((path, line, message))
        print("%s:%d: %s" % (path, line, message))
    if findings:
        return 1
    print("hls_static_check: OK: %d files, %d unrolled loops, %d array accesses in them (%d indexed by a lane "
          "variable, each partitioned), %d uses of %d tops" %
          (len(args.files), stats["loops"], stats["accesses"], stats["lane_accesses"], stats["top_uses"],
           len(tops)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
