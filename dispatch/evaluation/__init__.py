"""评价: a 居委 evaluates the closed tickets of its 居民区; an 不满意 处置 opens a 复核 for the command center."""
