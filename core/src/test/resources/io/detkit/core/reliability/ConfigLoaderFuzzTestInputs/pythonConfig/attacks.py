import os
x = __import__('os').system('id')
y = eval("1+1")
z = open('/etc/passwd').read()
w = (lambda: 1)()
v = [i for i in range(3)]
u = f'{x}'
t = os.path.join('a', 'b')
s = x[0]
r = 1 + 2
