indexes = []
