#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The differential test of rig sync up against git itself.

Each case is a project tree (files, .gitignore files at any depth,
.git/info/exclude, a global ignore file, files added with "git add -f",
tracked files deleted since) made in a fresh folder with "git init".
git's answer is "git ls-files --cached --others --exclude-standard"; what
rig answers is what "rig sync up" actually delivers with a real rsync to
a local folder (the "local" provider), or with --project/--remote to the
machine of an existing project (an sshd test host). Two modes: "git"
(rig finds git and sends its list) and "nogit" (RIG_GIT= hides git, so
rig's own reading of the rules and their rsync translation decide, and
the tracked files git's rules ignore are not expected: without git
nobody knows them).

Cases come from tests/data (git's wildmatch and ignore cases, written as
data from git's documented semantics) and from a seeded generator. On a
mismatch the case is shrunk (files and lines taken away while it still
differs) and printed. The last line is "N cases, N mismatches, ...";
exit status 1 if any.
"""
import argparse
import json
import multiprocessing
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

GIT = shutil.which("git") or "/usr/bin/git"

# ---------------------------------------------------------------- cases


def wildmatch_cases(path):
    """git's wildmatch pairs as two ignore cases each: the pattern in the
    root .gitignore, and in a subfolder's .gitignore (scoping)."""
    out = []
    with open(path, encoding="utf-8") as f:
        pairs = json.load(f)
    for i, (pat, text) in enumerate(pairs):
        if not valid_path(text) or "\n" in pat:
            continue
        decoys = ["other", "d/other"]
        files = [text] + [d for d in decoys if compatible(d, [text])]
        out.append({"name": "wildmatch %d: %r %r" % (i, pat, text),
                    "files": files, "ignore": {".gitignore": pat + "\n"}})
        out.append({"name": "wildmatch %d in sub/: %r %r" % (i, pat, text),
                    "files": ["sub/" + text, "top"],
                    "ignore": {"sub/.gitignore": pat + "\n"}})
    return out


def ignore_cases(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def valid_path(p):
    if p == "" or p.startswith("/") or p.endswith("/") or "//" in p:
        return False
    if "\0" in p or "\n" in p:
        return False
    parts = p.split("/")
    if any(x in (".", "..", ".git", ".rig") for x in parts):
        return False
    return p != "rig.conf"


def compatible(p, files):
    """Whether file 'p' can sit in a tree with 'files' (no file is
    another's folder)."""
    for q in files:
        if p == q or q.startswith(p + "/") or p.startswith(q + "/"):
            return False
    return True


NAMES = ["a", "b", "c", "ab", "abc", "x y", "[1]", "a*b", "q?", "\u00e9t\u00e9",
         "\u65e5\u672c", "#h", "!n", "t ", "b\\", "-d", ".hid", "data",
         "build", "out", "keep", "foo", "bar", "a[b]c", "{x}", "~t", "sp  ",
         "z\\*", "t\tb", "-rf"]
EXTS = ["", "", ".log", ".txt", ".o", ".tmp", ".csv"]


def git_escape(name):
    """A name as a pattern that matches it literally."""
    s = ""
    for c in name:
        if c in "*?[\\":
            s += "\\"
        s += c
    if s.startswith("#") or s.startswith("!"):
        s = "\\" + s
    if s.endswith(" "):
        s = s[:-1] + "\\ "
    return s


def mutate(rnd, pat):
    """Wildcards in place of some literal characters."""
    for _ in range(rnd.randint(0, 2)):
        i = rnd.randrange(len(pat)) if pat else 0
        if not pat or pat[i] in "\\/" or (i > 0 and pat[i - 1] == "\\"):
            continue
        c = pat[i]
        k = rnd.random()
        if k < 0.3:
            pat = pat[:i] + "?" + pat[i + 1:]
        elif k < 0.6:
            pat = pat[:i] + "*" + pat[i + 1:]
        elif k < 0.75 and c.isalnum():
            pat = pat[:i] + "[" + c + "xy]" + pat[i + 1:]
        elif k < 0.85:
            pat = pat[:i] + "[!" + rnd.choice("ab#z") + "]" + pat[i + 1:]
        elif c.isalpha() and c.isascii():
            pat = pat[:i] + "[a-" + max(c, "c") + "]" + pat[i + 1:]
        else:
            pat = pat[:i] + "[[:alpha:][:digit:]]" + pat[i + 1:]
    return pat


def make_pattern(rnd, files, dirs):
    k = rnd.random()
    path = rnd.choice(files)
    parts = path.split("/")
    if k < 0.1 and dirs:
        # A folder, often with a negation of something in it.
        d = rnd.choice(sorted(dirs))
        return [git_escape(d.split("/")[-1]) + rnd.choice(["/", "", "/*",
                                                           "/**"])]
    if k < 0.2:
        # Many "**" parts, or a run of them.
        n = rnd.randint(2, 12)
        if rnd.random() < 0.5:
            return ["**/" * n + git_escape(parts[-1])]
        mid = "/**/".join(git_escape(p) for p in parts)
        return ["/".join(["**"] * rnd.randint(1, 3)) + "/" + mid]
    if k < 0.3:
        # A lone backslash at the end, or an escaped one before "**".
        return [rnd.choice([git_escape(parts[-1]) + "\\",
                            "b\\\\/**/" + git_escape(parts[-1]),
                            "b\\\\/**", "\\", "!" + parts[-1] + "\\"])]
    if k < 0.55:
        pat = mutate(rnd, git_escape(parts[-1]))
    elif k < 0.75:
        pat = "/".join(git_escape(p) for p in parts)
        pat = mutate(rnd, pat)
        if rnd.random() < 0.5:
            pat = "/" + pat
    else:
        i = rnd.randrange(len(parts))
        pat = "/".join(git_escape(p) for p in parts[:i]) + \
            ("/" if i else "") + "**/" + mutate(rnd, git_escape(parts[-1]))
        if i == 0 and rnd.random() < 0.3:
            pat = pat.replace("**/", "**/x/**/", 1)
    if rnd.random() < 0.1:
        # Noise: a stray special character anywhere.
        i = rnd.randint(0, len(pat))
        pat = pat[:i] + rnd.choice(["[", "]", "\\", "/", "//", "*", "?",
                                    "!", "#", " ", "[!", "[]", "***"]) + \
            pat[i:]
    if rnd.random() < 0.1:
        pat += rnd.choice(["  ", " ", "\t"])
    if rnd.random() < 0.08:
        pat = rnd.choice(["foo**/", "a**"]) + pat
    return [pat]


def ignore_text(rnd, files, dirs, n):
    lines = []
    for _ in range(n):
        for p in make_pattern(rnd, files, dirs):
            if rnd.random() < 0.25:
                p = "!" + p
            lines.append(p)
        if rnd.random() < 0.1:
            lines.append(rnd.choice(["# a comment", "", "   ", "#!x"]))
    if dirs and rnd.random() < 0.3:
        # A negation under an ignored folder: git never brings it back.
        d = rnd.choice(sorted(dirs))
        under = [f for f in files if f.startswith(d + "/")]
        if under:
            f = rnd.choice(under)
            lines += [git_escape(d) + "/", "!" + git_escape(f)]
    eol = "\r\n" if rnd.random() < 0.15 else "\n"
    text = eol.join(lines) + (eol if rnd.random() < 0.8 else "")
    if rnd.random() < 0.15:
        text = "\ufeff" + text
    return text


def random_case(seed):
    rnd = random.Random(seed)
    files = []
    for _ in range(rnd.randint(4, 22)):
        depth = rnd.choice([1, 1, 2, 2, 3])
        p = "/".join(rnd.choice(NAMES) for _ in range(depth))
        p += rnd.choice(EXTS)
        if valid_path(p) and compatible(p, files):
            files.append(p)
    if not files:
        files = ["a"]
    dirs = set()
    for f in files:
        parts = f.split("/")
        for i in range(1, len(parts)):
            dirs.add("/".join(parts[:i]))
    ignore = {".gitignore": ignore_text(rnd, files, dirs, rnd.randint(1, 6))}
    for d in rnd.sample(sorted(dirs), min(len(dirs), rnd.randint(0, 2))):
        sub = [f[len(d) + 1:] for f in files if f.startswith(d + "/")]
        ignore[d + "/.gitignore"] = ignore_text(rnd, sub, set(), rnd.randint(
            1, 3))
    case = {"name": "random seed %d" % seed, "files": files, "ignore": ignore}
    if rnd.random() < 0.3:
        case["exclude"] = ignore_text(rnd, files, dirs, rnd.randint(1, 2))
    if rnd.random() < 0.2:
        case["global"] = ignore_text(rnd, files, dirs, 1)
    if rnd.random() < 0.2:
        # A symbolic link: git lists it as a file, rsync -l copies it.
        ln = rnd.choice(NAMES) + "-ln"
        if valid_path(ln) and compatible(ln, files):
            case["links"] = {ln: rnd.choice(files)}
    case["force"] = rnd.sample(files, min(len(files), rnd.randint(0, 3)))
    if rnd.random() < 0.2:
        case["deleted"] = rnd.sample(files, 1)
    return case

# ---------------------------------------------------------------- running


class Env:
    def __init__(self, rig, project=None, remote=None):
        self.rig = rig
        self.project = project
        self.remote = remote


def run(argv, cwd, env, check=True):
    r = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if check and r.returncode != 0:
        raise RuntimeError("%s: status %d: %s" % (
            " ".join(argv), r.returncode, r.stderr.decode(errors="replace")))
    return r


def z_list(out):
    return [p.decode("utf-8", "surrogateescape")
            for p in out.split(b"\0") if p]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(text.encode("utf-8", "surrogateescape"))


def delivered(root):
    out = set()
    for d, dirnames, filenames in os.walk(root):
        for n in filenames + [x for x in dirnames
                              if os.path.islink(os.path.join(d, x))]:
            out.add(os.path.relpath(os.path.join(d, n), root))
    return out


def clean(folder, keep):
    for n in os.listdir(folder):
        if n in keep:
            continue
        p = os.path.join(folder, n)
        if os.path.isdir(p) and not os.path.islink(p):
            shutil.rmtree(p)
        else:
            os.unlink(p)


def as_newer_git(text):
    """The ignore file 'text' as git 2.52 and later read it, written so
    that older git reads it the same way: a run of '*' that is not a
    whole path part ("foo**/bar") is one '*' (gitignore(5): "other
    consecutive asterisks are considered regular asterisks"); git before
    2.52 lets it cross '/'. rig answers as newer git does."""
    out = []
    for n, line in enumerate(text.splitlines(True)):
        head = ""
        if n == 0 and line.startswith("\ufeff"):
            head, line = "\ufeff", line[1:]
        if line.startswith("#"):
            out.append(head + line)
            continue
        if line.startswith("!"):
            head, line = head + "!", line[1:]
        out.append(head)
        i, s = 0, ""
        while i < len(line):
            c = line[i]
            if c == "\\" and i + 1 < len(line):
                s += line[i:i + 2]
                i += 2
                continue
            if c != "*":
                s += c
                i += 1
                continue
            j = i
            while j < len(line) and line[j] == "*":
                j += 1
            rest = line[j:]
            whole = (i == 0 or line[i - 1] == "/") and (
                rest.startswith("/") or rest.startswith("\\/") or
                re.fullmatch(r" *\r?\n?", rest) is not None)
            s += line[i:j] if whole or j - i < 2 else "*"
            i = j
        out.append(s)
    return "".join(out)


def check(env, case, modes, base):
    """Runs one case; returns {mode: (missing, extra)} for the modes that
    differ."""
    proj = env.project or os.path.join(base, "p")
    home = os.path.join(base, "home")
    remote = env.remote or os.path.join(base, "r")
    os.makedirs(home, exist_ok=True)
    if env.project:
        clean(proj, {"rig.conf", ".rig"})
    else:
        if os.path.exists(proj):
            shutil.rmtree(proj)
        os.makedirs(proj)
        write(os.path.join(proj, "rig.conf"),
              "[machine]\nprovider = local\n[sync]\nremote_dir = %s\n" %
              remote)
    shutil.rmtree(os.path.join(home, ".config"), ignore_errors=True)
    genv = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
            "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C.UTF-8",
            "GIT_LITERAL_PATHSPECS": "1"}
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "RIG_RUNTIME_DIR", "RIG_SSH",
              "RIG_RSYNC", "RIG_GIT"):
        if k in os.environ:
            genv[k] = os.environ[k]
    for f in case["files"]:
        write(os.path.join(proj, f), f + "\n")
    for p, text in case.get("ignore", {}).items():
        write(os.path.join(proj, p), text)
    for p, target in case.get("links", {}).items():
        os.makedirs(os.path.dirname(os.path.join(proj, p)), exist_ok=True)
        os.symlink(target, os.path.join(proj, p))
    run([GIT, "init", "-q", "--template=", "."], proj, genv)
    if case.get("exclude") is not None:
        write(os.path.join(proj, ".git/info/exclude"), case["exclude"])
    if case.get("global") is not None:
        write(os.path.join(home, ".config/git/ignore"), case["global"])
    add = [f for f in case.get("force", []) + case.get("deleted", [])
           if f in case["files"]]
    if add:
        run([GIT, "add", "-f", "--"] + add, proj, genv)
    for f in case.get("deleted", []):
        if os.path.lexists(os.path.join(proj, f)):
            os.unlink(os.path.join(proj, f))
    git_list = z_list(run([GIT, "ls-files", "-z", "--cached", "--others",
                           "--exclude-standard"], proj, genv).stdout)
    forced = set(z_list(run([GIT, "ls-files", "-z", "--cached", "--ignored",
                             "--exclude-standard"], proj, genv).stdout))
    want = set(p for p in git_list
               if not p.startswith(".rig/") and
               os.path.lexists(os.path.join(proj, p)))
    # What newer git ignores, for rig's own reading of the rules
    # (as_newer_git()): the same tree, asked again with the ignore files
    # rewritten. Without git rig cannot know the tracked files the rules
    # ignore. "down" always goes by rig's rules (the machine's tree is not
    # listed here), plus git's tracked files when there is git.
    newer_all, rules_only = want, want - forced
    texts = {os.path.join(proj, p): t for p, t in case.get("ignore",
                                                          {}).items()}
    if case.get("exclude") is not None:
        texts[os.path.join(proj, ".git/info/exclude")] = case["exclude"]
    if case.get("global") is not None:
        texts[os.path.join(home, ".config/git/ignore")] = case["global"]
    if modes != ["git"] and any(as_newer_git(t) != t
                                for t in texts.values()):
        for p, t in texts.items():
            write(p, as_newer_git(t))
        listed = z_list(run([GIT, "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], proj, genv).stdout)
        ign = z_list(run([GIT, "ls-files", "-z", "--cached", "--ignored",
                          "--exclude-standard"], proj, genv).stdout)
        newer_all = set(p for p in listed
                        if not p.startswith(".rig/") and
                        os.path.lexists(os.path.join(proj, p)))
        rules_only = newer_all - set(ign)
        for p, t in texts.items():
            write(p, t)
    bad = {}
    for mode in modes:
        if os.path.exists(remote):
            clean(remote, set())
        renv = dict(genv)
        del renv["GIT_LITERAL_PATHSPECS"]
        renv.pop("RIG_GIT", None)
        if "RIG_GIT" in os.environ:
            renv["RIG_GIT"] = os.environ["RIG_GIT"]
        if mode.endswith("nogit"):
            renv["RIG_GIT"] = ""
        if mode.startswith("down"):
            got, expect, err = down(env, proj, remote, renv, case,
                                    newer_all if mode == "down-git"
                                    else rules_only)
            if err:
                bad[mode] = (err, None)
            elif got != expect:
                bad[mode] = (sorted(expect - got), sorted(got - expect))
            continue
        r = run([env.rig, "sync", "up"], proj, renv, check=False)
        expect = want if mode == "git" else rules_only
        if r.returncode != 0:
            bad[mode] = ("rig sync up failed: " +
                         r.stderr.decode(errors="replace").strip(), None)
            continue
        got = delivered(remote) if os.path.exists(remote) else set()
        if got != expect:
            bad[mode] = (sorted(expect - got), sorted(got - expect))
    return bad


def down(env, proj, remote, renv, case, project):
    """"sync down" of the whole tree, which only the machine has: the
    case's files moved there (ignored ones too), only the ignore files and
    rig.conf left here (git's index stays). What comes back must be
    'project'. Returns (got, expected, error). The tree is put back."""
    keep = set(case.get("ignore", {})) | {"rig.conf"}
    saved = os.path.join(os.path.dirname(remote), "saved")
    shutil.rmtree(saved, ignore_errors=True)
    os.makedirs(remote, exist_ok=True)
    for p in sorted(delivered(proj)):
        if p.startswith(".git/") or p.startswith(".rig/"):
            continue
        src = os.path.join(proj, p)
        for dst in (os.path.join(remote, p), os.path.join(saved, p)):
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if os.path.islink(src):
                os.symlink(os.readlink(src), dst)
            else:
                shutil.copy2(src, dst)
        if p not in keep:
            os.unlink(src)
    for f in ("sync-manifest", "sync-filter", "sync-list"):
        if os.path.exists(os.path.join(proj, ".rig", f)):
            os.unlink(os.path.join(proj, ".rig", f))
    r = run([env.rig, "sync", "down"], proj, renv, check=False)
    got = set(p for p in delivered(proj)
              if not p.startswith(".git/") and not p.startswith(".rig/"))
    # Put the tree back as it was for the next mode.
    for p in sorted(delivered(saved)):
        dst = os.path.join(proj, p)
        if os.path.lexists(dst):
            os.unlink(dst)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        os.rename(os.path.join(saved, p), dst)
    shutil.rmtree(saved, ignore_errors=True)
    if r.returncode != 0:
        return None, None, ("rig sync down failed: " +
                            r.stderr.decode(errors="replace").strip())
    return got, set(project) | (keep & got), None


def shrink(env, case, mode, base, budget):
    """The smallest case (greedily) that still differs in 'mode'."""
    def differs(c):
        nonlocal budget
        if budget <= 0:
            return False
        budget -= 1
        try:
            return mode in check(env, c, [mode], base)
        except RuntimeError:
            return False

    cur = json.loads(json.dumps(case))
    progress = True
    while progress and budget > 0:
        progress = False
        for i in range(len(cur["files"]) - 1, -1, -1):
            c = json.loads(json.dumps(cur))
            gone = c["files"].pop(i)
            for k in ("force", "deleted"):
                if gone in c.get(k, []):
                    c[k].remove(gone)
            if differs(c):
                cur, progress = c, True
        for key in ["ignore"]:
            for p in list(cur[key]):
                lines = cur[key][p].splitlines(True)
                for i in range(len(lines) - 1, -1, -1):
                    c = json.loads(json.dumps(cur))
                    c[key][p] = "".join(lines[:i] + lines[i + 1:])
                    if c[key][p] == "":
                        del c[key][p]
                    if differs(c):
                        cur, progress = c, True
                        lines = lines[:i] + lines[i + 1:]
                        if p not in cur[key]:
                            break
        for key in ("exclude", "global"):
            if cur.get(key) is None:
                continue
            lines = cur[key].splitlines(True)
            for i in range(len(lines) - 1, -1, -1):
                c = json.loads(json.dumps(cur))
                c[key] = "".join(lines[:i] + lines[i + 1:])
                if differs(c):
                    cur, progress = c, True
                    lines = lines[:i] + lines[i + 1:]
        for ln in list(cur.get("links", {})):
            c = json.loads(json.dumps(cur))
            del c["links"][ln]
            if differs(c):
                cur, progress = c, True
        for key in ("force", "deleted"):
            for f in list(cur.get(key, [])):
                c = json.loads(json.dumps(cur))
                c[key].remove(f)
                if differs(c):
                    cur, progress = c, True
    return cur


def describe(case):
    out = ["  files: %s" % json.dumps(case["files"], ensure_ascii=False)]
    for p, text in sorted(case.get("ignore", {}).items()):
        out.append("  %s: %s" % (p, json.dumps(text, ensure_ascii=False)))
    for k in ("exclude", "global", "force", "deleted", "links"):
        if case.get(k):
            out.append("  %s: %s" % (k, json.dumps(case[k],
                                                   ensure_ascii=False)))
    return "\n".join(out)


def worker(args):
    env, case, modes, tmp = args
    base = tempfile.mkdtemp(prefix="c", dir=tmp)
    try:
        return case, check(env, case, modes, base)
    except RuntimeError as e:
        return case, {"setup": (str(e), None)}
    finally:
        shutil.rmtree(base, ignore_errors=True)


def git_version():
    out = run([GIT, "--version"], None, None).stdout.decode()
    m = re.search(r"(\d+)\.(\d+)", out)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rig", required=True)
    ap.add_argument("--data", help="folder of wildmatch-cases.json and "
                    "ignore-cases.json")
    ap.add_argument("--random", type=int, default=100,
                    help="random cases (with --seconds: until time is up)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=0)
    ap.add_argument("--modes", default="git,nogit",
                    help="of git, nogit (sync up), down-git, down-nogit")
    # Most of a case is waiting for git, rig and rsync to start and end:
    # more at once than there are cores.
    ap.add_argument("--jobs", type=int, default=2 * (os.cpu_count() or 1))
    ap.add_argument("--project", help="an existing project (its rig.conf "
                    "and .rig kept): cases are made in it")
    ap.add_argument("--remote", help="with --project: its remote_dir as "
                    "seen from here")
    ap.add_argument("--no-wildmatch", action="store_true",
                    help="of the data, only the ignore cases")
    ap.add_argument("--pick", type=int, default=0,
                    help="only N of the data's cases, spread evenly")
    ap.add_argument("--shrink", type=int, default=3,
                    help="mismatches to shrink and print in full")
    a = ap.parse_args()
    modes = a.modes.split(",")
    env = Env(os.path.abspath(a.rig), a.project, a.remote)
    cases = []
    if a.data:
        cases += ignore_cases(os.path.join(a.data, "ignore-cases.json"))
        if not a.no_wildmatch:
            cases += wildmatch_cases(os.path.join(a.data,
                                                  "wildmatch-cases.json"))
    # tmpfs when there is one: rig, git and rsync fsync, which on a disk
    # serializes the cases.
    if a.pick and len(cases) > a.pick:
        cases = [cases[i * len(cases) // a.pick] for i in range(a.pick)]
    tmp = tempfile.mkdtemp(prefix="rig-syncdiff.", dir="/dev/shm"
                           if os.access("/dev/shm", os.W_OK) else None)
    t0 = time.time()
    results = []
    jobs = 1 if a.project else max(1, a.jobs)
    pool = multiprocessing.Pool(jobs) if jobs > 1 else None

    def batch(cs):
        args = [(env, c, modes, tmp) for c in cs]
        if pool:
            return pool.map(worker, args, chunksize=4)
        return [worker(x) for x in args]

    results += batch(cases)
    seed = a.seed
    if a.seconds > 0:
        while time.time() - t0 < a.seconds:
            results += batch([random_case(seed + i) for i in range(20)])
            seed += 20
    else:
        results += batch([random_case(seed + i) for i in range(a.random)])
    if pool:
        pool.close()
        pool.join()

    mism = {m: 0 for m in modes}
    failed = []
    for case, bad in results:
        for mode, diff in bad.items():
            mism[mode] = mism.get(mode, 0) + 1
            failed.append((case, mode, diff))
    for case, mode, diff in failed:
        print("MISMATCH (%s) %s" % (mode, case["name"]))
        if diff[1] is None:
            print("  " + diff[0])
        else:
            print("  git has, rig did not send: %s" % json.dumps(
                diff[0], ensure_ascii=False))
            print("  rig sent, git has not: %s" % json.dumps(
                diff[1], ensure_ascii=False))
    for case, mode, diff in failed[:a.shrink]:
        if mode not in modes:
            continue
        base = tempfile.mkdtemp(prefix="s", dir=tmp)
        small = shrink(env, case, mode, base, 400)
        print("SMALLEST (%s) of %s:" % (mode, case["name"]))
        print(describe(small))
        d = check(env, small, [mode], base).get(mode)
        if d and d[1] is not None:
            print("  git has, rig did not send: %s" % json.dumps(
                d[0], ensure_ascii=False))
            print("  rig sent, git has not: %s" % json.dumps(
                d[1], ensure_ascii=False))
    shutil.rmtree(tmp, ignore_errors=True)
    total = sum(mism.values())
    print("%d cases, %d mismatches (%s) in %.1f s" % (
        len(results), total,
        ", ".join("%s %d" % (m, mism[m]) for m in modes),
        time.time() - t0))
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
