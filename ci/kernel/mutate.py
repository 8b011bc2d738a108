#!/usr/bin/env python3
"""mutate.py - seeded mutants of Linux's net/unix, one unified diff each.

    ci/kernel/mutate.py --tree TREE --seed S --count N --out DIR [--compiled] [FILE...]
    ci/kernel/mutate.py --tree TREE --sites [--compiled] [FILE...]

FILEs are paths inside TREE (default net/unix/af_unix.c net/unix/garbage.c
net/unix/diag.c).  A site is one place where one classic operator applies:

  errno     an errno constant (-EINVAL) replaced by another of ERRNOS
  negate    the condition of a one-line if (...) negated
  boundary  a comparison's boundary shifted by one (< <=, > >=)
  delete    a one-line expression statement replaced by an empty one
  flag      one operand dropped from a mask of flag constants (A | B)

The sample is stratified over the functions: each round visits the
functions that have sites in an order drawn from the seed, and takes one
site of each (the operator first, then the site, both drawn), until N
mutants.  --compiled keeps only the sites on lines the configured tree
compiles: the lines named by the line markers of FILE's preprocessed form
(TREE/net/unix/af_unix.i, made by `make net/unix/af_unix.i`), so code left
out by the configuration (BPF iterators, lockdep, ...) takes no mutant.
The same tree, files, seed and N give the same mutants: each is
written as DIR/G-NNN.patch (a header, then a diff that `patch -p1` applies
at TREE) and listed in DIR/mutants.tsv.  --sites prints every site instead.
"""
import argparse
import difflib
import os
import random
import re
import sys

FILES = ["net/unix/af_unix.c", "net/unix/garbage.c", "net/unix/diag.c"]
ERRNOS = ["EINVAL", "EOPNOTSUPP", "ENOTCONN", "EPIPE", "ECONNREFUSED", "ECONNRESET",
          "EAGAIN", "ENOMEM", "EPERM", "EFAULT", "EISCONN", "EADDRINUSE", "ENOENT",
          "EMSGSIZE", "ENOBUFS", "EPROTOTYPE", "ETOOMANYREFS", "EBADF", "ENOTSOCK"]
OPERATORS = ["errno", "negate", "boundary", "delete", "flag"]
FLAG = re.compile(r"\b([A-Z][A-Z0-9_]{2,})(\s*\|\s*)([A-Z][A-Z0-9_]{2,})\b")
ERRNO = re.compile(r"-E([A-Z]{2,})\b")
CMP = re.compile(r"(?<![-<>=!])(<=|>=|<|>)(?![<>=])")
KEYWORDS = r"^(return|goto|break|continue|case|default|else|do|for|if|while|switch|sizeof)\b"
# Statements whose deletion only leaks, deadlocks or trips a debugging check
# (locks, reference counts, frees, warnings): left out of "delete", their
# mutants say nothing about the behaviour a conformance suite checks.
RESOURCE = re.compile(r"\b(\w*lock\w*|\w*_hold|\w*_put|\w*put_\w*|\w*free\w*|\w*rcu\w*|"
                      r"consume_skb|kfree_skb\w*|\w*release\w*|\w*WARN\w*|\w*BUG\w*|might_sleep|"
                      r"\w*_get|get_\w*|\w*ref\w*|mutex_\w*|spin_\w*|local_bh_\w*|"
                      r"register_\w*|unregister_\w*|\w*_init|\w*_exit)\s*\(")
DECL = re.compile(r"^\s*(const\s+|static\s+|unsigned\s+|signed\s+|struct\s+\w+\s*\*|"
                  r"(int|long|bool|char|u8|u16|u32|u64|size_t|ssize_t|void|gfp_t|umode_t)\b)")


def strip(line):
    """The line with string and character literals blanked (same length)."""
    return re.sub(r'"(\\.|[^"\\])*"|\'(\\.|[^\'\\])*\'', lambda m: "_" * len(m.group(0)), line)


def balanced(s):
    depth = 0
    for ch in s:
        depth += ch == "("
        depth -= ch == ")"
        if depth < 0:
            return False
    return depth == 0


def functions(lines):
    """(name, first body line, last body line) of each function: kernel style,
    the body's braces alone at column 0."""
    out = []
    i = 0
    while i < len(lines):
        if lines[i].rstrip("\n") == "{":
            j = i - 1
            name = None
            while j >= 0 and j >= i - 6:
                m = re.search(r"\b([A-Za-z_]\w*)\s*\(", lines[j])
                if m and not lines[j].startswith(("\t", " ", "#")) or (m and j == i - 1):
                    name = m.group(1)
                    break
                j -= 1
            k = i + 1
            while k < len(lines) and lines[k].rstrip("\n") != "}":
                k += 1
            if name and k < len(lines):
                out.append((name, i + 1, k - 1))
            i = k
        i += 1
    return out


def sites_in(path, lines, fname, first, last):
    sites = []
    comment = False
    for n in range(first, last + 1):
        raw = lines[n].rstrip("\n")
        line = strip(raw)
        if comment:
            if "*/" in line:
                comment = False
            continue
        if line.lstrip().startswith(("/*", "*")):
            comment = "/*" in line and "*/" not in line
            continue
        if line.lstrip().startswith("#") or "//" in line or "/*" in line:
            continue
        code = line.strip()
        for m in ERRNO.finditer(line):
            if "E" + m.group(1) in ERRNOS:
                for e in ERRNOS:
                    if e != "E" + m.group(1):
                        sites.append(("errno", n, m.start(), m.end(), "-E" + m.group(1), "-" + e))
        cond = re.match(r"^(\s*)(if|while) \((.*)\)( \{)?$", line)
        if cond and balanced(cond.group(3)) and not code.endswith(";"):
            start = line.index("(") + 1
            end = start + len(cond.group(3))
            sites.append(("negate", n, start, end, raw[start:end], "!(" + raw[start:end] + ")"))
            for m in CMP.finditer(line, start, end):
                op = m.group(1)
                new = {"<": "<=", "<=": "<", ">": ">=", ">=": ">"}[op]
                sites.append(("boundary", n, m.start(), m.end(), op, new))
        for m in FLAG.finditer(line):
            if m.group(1).startswith(("E", "POLL", "MSG_", "SOCK_", "SEND_", "RCV_", "SOCK", "O_",
                                      "UDIAG", "SOCK_")):
                sites.append(("flag", n, m.start(), m.end(), m.group(0), m.group(1)))
                sites.append(("flag", n, m.start(), m.end(), m.group(0), m.group(3)))
        prev = strip(lines[n - 1]).rstrip() if n > first else "{"
        if (code.endswith(";") and balanced(code) and not DECL.match(code)
                and re.match(r"^[A-Za-z_]\w*(->|\.|\[|\(|\s*[-|&+^]?=[^=])", code)
                and not re.match(KEYWORDS, code) and not RESOURCE.search(code)
                and (prev.endswith((";", "{", "}", ":")) or re.match(r"^\s*(if|else|for|while)\b", prev))):
            indent = raw[: len(raw) - len(raw.lstrip())]
            sites.append(("delete", n, len(indent), len(raw), raw.strip(), ";"))
    return [(path, fname) + s for s in sites]


def compiled_lines(tree, path):
    """The line numbers of path that its preprocessed form (path .i) holds."""
    pre = os.path.join(tree, path[:-2] + ".i")
    try:
        with open(pre, encoding="utf-8", errors="surrogateescape") as f:
            text = f.readlines()
    except OSError as e:
        sys.exit("mutate.py: --compiled needs %s (make %s): %s" % (pre, path[:-2] + ".i", e.strerror))
    keep, cur, line = set(), False, 0
    marker = re.compile(r'^# (\d+) "([^"]*)"')
    for t in text:
        m = marker.match(t)
        if m:
            line = int(m.group(1))
            cur = m.group(2).endswith(path)
            continue
        if cur:
            if t.strip():
                keep.add(line - 1)      # 0-based, as the sites
            line += 1
    return keep


def all_sites(tree, files, compiled=False):
    by_func = {}
    for path in files:
        keep = compiled_lines(tree, path) if compiled else None
        full = os.path.join(tree, path)
        try:
            with open(full, encoding="utf-8", errors="surrogateescape") as f:
                lines = f.readlines()
        except OSError as e:
            sys.exit("mutate.py: cannot read %s: %s" % (full, e.strerror))
        for name, first, last in functions(lines):
            s = sites_in(path, lines, name, first, last)
            if keep is not None:
                s = [x for x in s if x[3] in keep]
            if s:
                by_func.setdefault((path, name), []).extend(s)
    return by_func


def sample(by_func, seed, count):
    rng = random.Random(seed)
    pools = {k: list(v) for k, v in sorted(by_func.items())}
    chosen = []
    seen = set()
    while len(chosen) < count and any(pools.values()):
        order = sorted(k for k, v in pools.items() if v)
        rng.shuffle(order)
        for key in order:
            if len(chosen) == count:
                break
            ops = sorted({s[2] for s in pools[key]})
            op = rng.choice(ops)
            cands = [s for s in pools[key] if s[2] == op]
            site = rng.choice(cands)
            pools[key].remove(site)
            where = (site[0], site[3], site[4])
            if where in seen:       # one mutant per place
                continue
            seen.add(where)
            chosen.append(site)
    return chosen


def patch_text(tree, site, ident, seed):
    path, fname, op, n, start, end, old, new = site
    with open(os.path.join(tree, path), encoding="utf-8", errors="surrogateescape") as f:
        lines = f.readlines()
    line = lines[n]
    mutated = list(lines)
    mutated[n] = line[:start] + new + line[end:]
    diff = difflib.unified_diff(lines, mutated, "a/" + path, "b/" + path, n=3)
    header = ("Mutant: %s\nSeed: %s\nOperator: %s\nFunction: %s\nWhere: %s:%d\n"
              "Change: %s -> %s\n\n" % (ident, seed, op, fname, path, n + 1, old.strip(), new.strip()))
    return header + "".join(diff)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tree", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=40)
    ap.add_argument("--out")
    ap.add_argument("--sites", action="store_true")
    ap.add_argument("--compiled", action="store_true")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    files = a.files or [f for f in FILES if os.path.exists(os.path.join(a.tree, f))]
    by_func = all_sites(a.tree, files, a.compiled)
    if a.sites:
        for key in sorted(by_func):
            for s in by_func[key]:
                print("%s\t%s\t%s\t%d\t%s\t%s" % (s[0], s[1], s[2], s[3] + 1, s[6].strip(), s[7]))
        return 0
    if not a.out:
        sys.exit("mutate.py: --out DIR is needed (or --sites)")
    chosen = sample(by_func, a.seed, a.count)
    os.makedirs(a.out, exist_ok=True)
    rows = ["id\tfile\tfunction\tline\toperator\tchange"]
    for i, site in enumerate(chosen, 1):
        ident = "G-%03d" % i
        with open(os.path.join(a.out, ident + ".patch"), "w", encoding="utf-8",
                  errors="surrogateescape") as f:
            f.write(patch_text(a.tree, site, ident, a.seed))
        rows.append("%s\t%s\t%s\t%d\t%s\t%s -> %s" % (ident, site[0], site[1], site[3] + 1, site[2],
                                                     site[6].strip(), site[7].strip()))
    with open(os.path.join(a.out, "mutants.tsv"), "w", encoding="utf-8") as f:
        f.write("\n".join(rows) + "\n")
    nsites = sum(len(v) for v in by_func.values())
    print("mutate.py: %d mutants of %d sites in %d functions (seed %d) in %s"
          % (len(chosen), nsites, len(by_func), a.seed, a.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
