"""A docstring."""
a = 1_000
b = 0x1f
c = -1e-4
d = .5
e = 1.
f = (1,)
g = ()
h = {'k': [1, 2, (3, 4)], "q": None, 'x': True}
i = 'it''s' "concatenated" '''triple
quoted''' r'raw\n'
j = dict(a=a, b=dict(c=h), )
k = 1e999
l = [
    1,  # comment
    2,
]
