x = 'unterminated
y = dict(a=1
