# Writes MovieLens-100K in the reference benchmark's merged MovieLens layout (<out>/ml-1m.csv: one row per rating,
# u.data order, with the movie's title and '|'-joined genres and the user's gender, age code, occupation and zip),
# which its MovieLens script reads. Ages are coded as MovieLens-1M codes them (1, 18, 25, 35, 45, 50, 56).
# Usage: python3 ml100k_merged.py <ml-100k folder with u.data, u.item, u.user, u.genre> <out folder>
import csv, os, sys

src, out = sys.argv[1], sys.argv[2]
genres = [line.split('|')[0] for line in open(os.path.join(src, 'u.genre'), encoding='latin-1') if line.strip()]
movies = {}
for line in open(os.path.join(src, 'u.item'), encoding='latin-1'):
    parts = line.rstrip('\n').split('|')
    movies[parts[0]] = (parts[1], '|'.join(g for g, flag in zip(genres, parts[5:]) if flag == '1'))


def age_code(age):
    age = int(age)
    for bound, code in ((18, 1), (25, 18), (35, 25), (45, 35), (50, 45), (56, 50)):
        if age < bound:
            return code
    return 56


users = {}
for line in open(os.path.join(src, 'u.user'), encoding='latin-1'):
    uid, age, gender, occupation, zipcode = line.rstrip('\n').split('|')
    users[uid] = (gender, age_code(age), occupation, zipcode)
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, 'ml-1m.csv'), 'w', newline='') as f:
    w = csv.writer(f)
    w.writerow(['user_id', 'movie_id', 'rating', 'timestamp', 'title', 'genres', 'gender', 'age', 'occupation', 'zip'])
    for line in open(os.path.join(src, 'u.data')):
        user, movie, rating, timestamp = line.split()
        title, movie_genres = movies[movie]
        w.writerow([user, movie, rating, timestamp, title, movie_genres, *users[user]])
