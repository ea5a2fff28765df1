from pos import create_app
from pos.runtime import settle_heap

app = create_app()
settle_heap()
