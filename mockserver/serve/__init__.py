"""The data plane and the live server: the aiohttp application, proxying, the typed state
services, and starting a real socket.
"""
