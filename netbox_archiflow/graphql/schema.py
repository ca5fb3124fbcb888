schema = []
