import re, sys
n = sys.argv[1]
keys = open(f'/tmp/keys{n}.log').read().splitlines()
req = float(keys[0].split()[-1])
ks = [tuple(map(float, l.split())) for l in keys[1:]]
end = ks[-1][0] + ks[-1][1] if ks else 99
print('slow keys:', ' '.join(f'{t:.2f}:{l*1000:.0f}' for t, l in ks if l > 0.08), 'keys end', round(end, 2))
s = open(f'/tmp/stall{n}.log').read()
for block in s.split('\n=== ')[1:]:
    lines = block.splitlines()
    t = float(re.search(r'from ([\d.]+)', lines[0]).group(1)) - req
    if t < -0.5: continue
    print(f'=== {lines[0].split(" from")[0]} rel={t:.3f}' + (' (after keys)' if t > end else ''))
    prof = []
    for l in lines[1:]:
        if ' ms ' in l or 'GC' in l: print(l)
        elif re.match(r'\s+\d+ ', l): prof.append(l)
    interesting = [p for p in prof if any(k in p for k in ('claude_tui', 'reflow', 'render_update', '_display', 'get_content_height', 'rich/', 'pygments', 'mount', 'compose', 'json', 'copy'))]
    for p in interesting[:14]: print('   ', p.strip())
