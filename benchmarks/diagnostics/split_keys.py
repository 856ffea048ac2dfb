import sys
n=sys.argv[1]
keys=open(f'/tmp/keys{n}.log').read().splitlines()
req=float(keys[0].split()[-1])
ks=[tuple(map(float,l.split())) for l in keys[1:]]
ev=[l.split() for l in open(f'/tmp/stall{n}.log.keys')]
ev=[(e[0],float(e[1])-req) for e in ev if e[0] in ('in','app','w','out')]
ins=[t for k,t in ev if k=='in']; apps=[t for k,t in ev if k=='app']; ws=[t for k,t in ev if k=='w']; outs=[t for k,t in ev if k=='out']
for sent,lat in ks:
    i=next((t for t in ins if t>=sent-0.002),None)
    a=next((t for t in apps if i is not None and t>=i),None)
    w=next((t for t in ws if a is not None and t>=a),None)
    o=next((t for t in outs if w is not None and t>=w),None)
    f=lambda x: f"{(x-sent)*1000:6.0f}" if x is not None else "   -"
    if lat>0.08: print(f"{sent:7.3f} lat {lat*1000:5.0f}  in {f(i)} app {f(a)} write {f(w)} out {f(o)}")
