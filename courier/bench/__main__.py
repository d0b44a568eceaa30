"""``python -m courier.bench``: the bench commands without the app's CLI."""

from courier.bench import bench

if __name__ == "__main__":
    bench()
